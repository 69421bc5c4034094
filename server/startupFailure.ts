import { BaseError as SequelizeError, ConnectionError } from 'sequelize';
import { ConfigError } from './config';

/** A start failure whose cause is known, with what the person starting the product should do. */
export class StartupError extends Error {
  constructor(
    message: string,
    readonly action: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StartupError';
  }
}

const DATABASE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ENOENT', '28P01', '28000', '3D000', '57P03']);

function codeOf(err: unknown): string | undefined {
  const e = err as { code?: unknown; parent?: { code?: unknown }; original?: { code?: unknown } };
  const code = e?.code ?? e?.parent?.code ?? e?.original?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The cause of a failed start and what to do about it, in Portuguese, for the log and the terminal. */
export function explainStartupFailure(err: unknown, port: number | undefined): { cause: string; action: string } {
  if (err instanceof StartupError) return { cause: err.message, action: err.action };
  if (err instanceof ConfigError) return { cause: err.message, action: 'Corrija as variáveis de ambiente indicadas (todas estão descritas em .env.example) e inicie de novo.' };
  const code = codeOf(err);
  const message = err instanceof Error ? err.message : String(err);
  const syscall = (err as { syscall?: string })?.syscall;
  if (code === 'EADDRINUSE' && syscall === 'listen') {
    return { cause: `A porta ${port ?? '?'} do servidor web já está em uso por outro programa.`, action: 'Encerre o programa que usa essa porta ou defina PORT com outra (por exemplo PORT=3001 npm start).' };
  }
  if (code === 'EACCES' && syscall === 'listen') {
    return { cause: `Sem permissão para abrir a porta ${port ?? '?'}.`, action: 'Use uma porta acima de 1024 em PORT, ou dê ao processo a permissão de abrir portas baixas.' };
  }
  if (err instanceof ConnectionError || (code && DATABASE_CODES.has(code)) || (err instanceof SequelizeError && /connect/i.test(message))) {
    return {
      cause: `Não foi possível conectar ao PostgreSQL: ${message}`,
      action: 'Verifique se o servidor de DATABASE_URL está no ar e aceita conexões, e se o endereço, o banco, o usuário e a senha estão corretos. Sem DATABASE_URL, o PostgreSQL embutido em var/pg/ é usado.',
    };
  }
  return { cause: message || 'erro sem mensagem', action: 'Leia a mensagem e o registro acima; se não souber resolver, abra um chamado anexando este registro.' };
}
