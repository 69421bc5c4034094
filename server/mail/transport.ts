import fs from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';
import { logger } from '../logger';

export interface MailTransport {
  send(message: Mail.Options): Promise<void>;
  close(): void;
}

/** SMTP when `smtpUrl` is set; otherwise each message becomes an `.eml` file under `mailDir`. */
export function createTransport(smtpUrl: string | undefined, mailDir: string): MailTransport {
  if (smtpUrl) {
    const transporter = nodemailer.createTransport(smtpUrl);
    return {
      send: async (m) => {
        await transporter.sendMail(m);
      },
      close: () => transporter.close(),
    };
  }
  const transporter = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    send: async (m) => {
      const info = await transporter.sendMail(m);
      await fs.mkdir(mailDir, { recursive: true });
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const file = path.join(mailDir, `${stamp}-${String(m.to).replace(/[^a-z0-9@.-]/gi, '_')}.eml`);
      await fs.writeFile(file, info.message as Buffer);
      logger.info({ file }, 'e-mail gravado em arquivo (sem SMTP_URL)');
    },
    close: () => transporter.close(),
  };
}
