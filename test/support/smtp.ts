import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A real SMTP peer on loopback that keeps what it receives; it can be stopped and started again. */
export class SmtpPeer {
  readonly messages: ParsedMail[] = [];
  /** Runs after a message's DATA arrived and before the peer answers 250 (a test can act in between). */
  beforeAccept: ((mail: ParsedMail) => Promise<void>) | undefined;
  private server: SMTPServer | undefined;
  port = 0;

  async start(port = this.port): Promise<void> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, _session, callback) => {
        simpleParser(stream)
          .then(async (mail) => {
            await this.beforeAccept?.(mail);
            this.messages.push(mail);
            callback();
          })
          .catch(callback);
      },
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  /** Messages sent to `to` (newest last). */
  to(address: string): ParsedMail[] {
    return this.messages.filter((m) => (Array.isArray(m.to) ? m.to : [m.to]).some((t) => t?.text.includes(address)));
  }

  /** Waits until a message to `to` whose subject matches arrives. */
  async waitFor(address: string, subject: RegExp, timeoutMs = 10_000): Promise<ParsedMail> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.to(address).find((m) => subject.test(m.subject ?? ''));
      if (hit) return hit;
      if (Date.now() > until) throw new Error(`Nenhum e-mail para ${address} com assunto ${subject}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
