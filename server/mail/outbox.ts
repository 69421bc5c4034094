import { OutboxMessage } from '../models';
import { renderMail } from './render';

export interface MailRequest {
  to: string;
  subject: string;
  template: string;
  data: Record<string, unknown>;
  tenantId?: string | null;
}

/**
 * Writes a rendered message to the outbox. Call it inside the transaction of the change that causes
 * the message (CLS carries it): the message exists exactly when the change does.
 */
export async function enqueueMail(req: MailRequest): Promise<OutboxMessage> {
  const { html, text } = renderMail(req.template, { ...req.data, subject: req.subject });
  return OutboxMessage.create({
    tenantId: req.tenantId ?? null,
    template: req.template,
    toAddress: req.to,
    subject: req.subject,
    html,
    text,
  });
}
