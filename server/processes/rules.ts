import type { AccessLevel } from '../models';

/**
 * What a user may do with a process, from the facts of its state — pure, so each rule is
 * unit-tested without HTTP or database. Services call `assertAllowed`, pages show only the actions
 * `allowedActions` lists.
 */

export interface ProcessState {
  accessLevel: AccessLevel;
  canRead: boolean;
  /** Open in the viewer's current unit. */
  openHere: boolean;
  /** The process has a row in the viewer's current unit (it passed through it). */
  passedThroughHere: boolean;
  /** How many units it is open in now. */
  openUnitCount: number;
  suspended: boolean;
  annexed: boolean;
  /** Viewer holds an active credential (meaningful for sigiloso). */
  credentialed: boolean;
  /**
   * Being carried to another government by a live Tramita transfer (server/tramita/transit.ts): the
   * process is read-only at the origin until the transfer ends, and every action says why.
   */
  externalTransitTo?: string | null;
}

export type ProcessAction =
  | 'send'
  | 'conclude'
  | 'reopen'
  | 'assign'
  | 'relate'
  | 'annex'
  | 'suspend'
  | 'resume'
  | 'alter'
  | 'grantCredential'
  | 'revokeCredential';

export const REFUSALS: Record<ProcessAction, string> = {
  send: 'Só é possível enviar um processo aberto na unidade atual, não sobrestado nem anexado.',
  conclude: 'Só é possível concluir um processo aberto na unidade atual e não sobrestado.',
  reopen: 'Só é possível reabrir um processo concluído numa unidade por onde ele passou.',
  assign: 'Só é possível atribuir um processo aberto na unidade atual.',
  relate: 'Só é possível relacionar um processo que você pode ler e que não está anexado.',
  annex: 'Só é possível anexar a um processo aberto na unidade atual, não sigiloso e não anexado.',
  suspend: 'Só é possível sobrestar um processo aberto apenas na unidade atual e ainda não sobrestado.',
  resume: 'Só é possível remover o sobrestamento de um processo sobrestado e aberto na unidade atual.',
  alter: 'Só é possível alterar um processo aberto na unidade atual e não anexado.',
  grantCredential: 'Só quem tem credencial, numa unidade onde o processo sigiloso está aberto, concede credenciais.',
  revokeCredential: 'Só quem tem credencial, numa unidade onde o processo sigiloso está aberto, cassa credenciais.',
};

export function isAllowed(action: ProcessAction, s: ProcessState): boolean {
  if (!s.canRead) return false;
  if (s.externalTransitTo) return false;
  const working = s.openHere && !s.annexed;
  switch (action) {
    case 'send':
      return working && !s.suspended;
    case 'conclude':
      return working && !s.suspended;
    case 'reopen':
      return s.passedThroughHere && !s.openHere && !s.annexed;
    case 'assign':
      return working;
    case 'relate':
      return !s.annexed;
    case 'annex':
      return working && s.accessLevel !== 'secret';
    case 'suspend':
      return working && !s.suspended && s.openUnitCount === 1;
    case 'resume':
      return working && s.suspended;
    case 'alter':
      return working;
    case 'grantCredential':
    case 'revokeCredential':
      return s.accessLevel === 'secret' && s.credentialed && s.openHere;
    default:
      return false;
  }
}

/** The in-transit refusal of a change to a process (null when no Tramita transfer is carrying it). */
export function transitBlocker(process: { externalTransitTo?: string | null }): string | null {
  return process.externalTransitTo
    ? `O processo está em trâmite externo para ${process.externalTransitTo} e não pode ser alterado até o fim do trâmite (recebimento, recusa ou cancelamento).`
    : null;
}

/** Why `action` is refused in state `s`: the in-transit reason first, the action's rule otherwise. */
export function refusalOf(action: ProcessAction, s: ProcessState): string {
  return (s.canRead && transitBlocker(s)) || REFUSALS[action];
}

export function allowedActions(s: ProcessState): Record<ProcessAction, boolean> {
  const out = {} as Record<ProcessAction, boolean>;
  for (const action of Object.keys(REFUSALS) as ProcessAction[]) out[action] = isAllowed(action, s);
  return out;
}

/**
 * Whether `child` may be annexed into `parent`: the child must be newer, open only in the current
 * unit, not sigiloso, not annexed already and not the parent itself.
 */
export interface AnnexFacts {
  parentId: string;
  parentCreatedAt: Date;
  childId: string;
  childCreatedAt: Date;
  childAccessLevel: AccessLevel;
  childAnnexed: boolean;
  childOpenUnitIds: string[];
  currentUnitId: string;
  childHasAnnexes: boolean;
}

export function annexRefusal(f: AnnexFacts): string | null {
  if (f.childId === f.parentId) return 'Um processo não pode ser anexado a si mesmo.';
  if (f.childAccessLevel === 'secret') return 'Processos sigilosos não podem ser anexados.';
  if (f.childAnnexed) return 'Este processo já está anexado a outro.';
  if (f.childHasAnnexes) return 'Este processo tem processos anexados a ele e não pode ser anexado.';
  const newer = f.childCreatedAt.getTime() > f.parentCreatedAt.getTime() || (f.childCreatedAt.getTime() === f.parentCreatedAt.getTime() && BigInt(f.childId) > BigInt(f.parentId));
  if (!newer) return 'Só é possível anexar um processo mais novo a um mais antigo.';
  if (f.childOpenUnitIds.length !== 1 || f.childOpenUnitIds[0] !== f.currentUnitId) {
    return 'O processo a anexar deve estar aberto somente na unidade atual.';
  }
  return null;
}
