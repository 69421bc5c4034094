/**
 * CPF and CNPJ of interessados: optional, but when given their check digits must hold.
 * CNPJ accepts the alphanumeric format the Receita Federal issues from July 2026 (characters valued
 * by their code minus 48, so digits keep their value).
 */

function mod11(values: number[], weights: number[]): number {
  const sum = values.reduce((acc, v, i) => acc + v * weights[i], 0);
  const r = sum % 11;
  return r < 2 ? 0 : 11 - r;
}

export function isValidCpf(cpf: string): boolean {
  if (!/^[0-9]{11}$/.test(cpf) || /^(\d)\1{10}$/.test(cpf)) return false;
  const d = [...cpf].map(Number);
  const dv1 = mod11(d.slice(0, 9), [10, 9, 8, 7, 6, 5, 4, 3, 2]);
  const dv2 = mod11(d.slice(0, 10), [11, 10, 9, 8, 7, 6, 5, 4, 3, 2]);
  return dv1 === d[9] && dv2 === d[10];
}

const CNPJ_WEIGHTS_1 = [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];
const CNPJ_WEIGHTS_2 = [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];

export function isValidCnpj(cnpj: string): boolean {
  if (!/^[0-9A-Z]{12}[0-9]{2}$/.test(cnpj) || /^(\d)\1{13}$/.test(cnpj)) return false;
  const v = [...cnpj].map((c) => c.charCodeAt(0) - 48);
  const dv1 = mod11(v.slice(0, 12), CNPJ_WEIGHTS_1);
  const dv2 = mod11(v.slice(0, 13), CNPJ_WEIGHTS_2);
  return dv1 === v[12] && dv2 === v[13];
}

/** Strips the mask (dots, dashes, slashes, spaces) and upper-cases; '' stays ''. */
export function normaliseDocument(input: string): string {
  return input.replace(/[.\-/\s]/g, '').toUpperCase();
}

export type DocumentCheck = { ok: true; document: string | null } | { ok: false; message: string };

export function checkPartyDocument(input: string | undefined | null): DocumentCheck {
  const document = normaliseDocument(input ?? '');
  if (!document) return { ok: true, document: null };
  if (document.length === 11) {
    return isValidCpf(document) ? { ok: true, document } : { ok: false, message: 'CPF inválido: confira os dígitos.' };
  }
  if (document.length === 14) {
    return isValidCnpj(document) ? { ok: true, document } : { ok: false, message: 'CNPJ inválido: confira os dígitos.' };
  }
  return { ok: false, message: 'Informe um CPF (11 dígitos) ou um CNPJ (14 caracteres), ou deixe em branco.' };
}
