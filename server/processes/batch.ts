import { inTenant } from '../tenancy/context';
import type { Viewer } from './access';
import { concludeProcess } from './actions';
import { sendProcess, type SendInput, type SendOptions } from './send';

/**
 * Acting on several processes of the inbox at once. One rule for every batch: it is atomic — one
 * tenant transaction for all the chosen processes, so a refusal of any one of them (no longer open
 * here, sobrestado, a bad target) changes none of them, and the user sees one message about a
 * selection that is still as it was (docs/architecture.md).
 */

export async function concludeProcesses(ids: string[], viewer: Viewer): Promise<void> {
  await inTenant(async () => {
    for (const id of ids) await concludeProcess(id, viewer);
  });
}

/** Sends every chosen process to the same units; answers the acronyms of the units it went to. */
export async function sendProcesses(ids: string[], viewer: Viewer, input: SendInput, opts: SendOptions): Promise<{ units: string[] }> {
  return inTenant(async () => {
    let units: string[] = [];
    for (const id of ids) ({ units } = await sendProcess(id, viewer, input, opts));
    return { units };
  });
}
