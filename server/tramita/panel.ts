import type { ProcessPageSlot } from '../processes/pageSlots';
import { actorOf } from '../web/actor';
import { processTramita } from './pages';

/**
 * The process page's Tramita slot: the "em trâmite externo" banner (with cancel), refusals awaiting
 * ciência, the receipts this tenant holds — `res.locals.tramita`, for a viewer who may read the process.
 */
export const tramitaPanel: ProcessPageSlot = async (req, res, process) => {
  res.locals.tramita = await processTramita(actorOf(req), process.id);
};
