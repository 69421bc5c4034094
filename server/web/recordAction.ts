import type { Router } from 'express';
import { auditActorOf, type Actor as AuditActor } from '../audit/record';
import { idParams, input } from '../validation';
import { flash } from './flash';

/**
 * An administration POST that runs one action on the record `:id` (deactivate, reactivate, resend
 * an invitation…), says what it did, and shows the record again at `back(id)`. Its id is parsed
 * like every route's; a refusal the action throws is rendered by the error handler.
 */
export function recordAction(router: Router, path: string, run: (actor: AuditActor, id: string) => Promise<unknown>, done: string, back: (id: string) => string): void {
  router.post(path, input({ params: idParams('id') }), async (req, res) => {
    const id = String(req.params.id);
    await run(auditActorOf(req), id);
    flash(req, done);
    res.redirect(back(id));
  });
}
