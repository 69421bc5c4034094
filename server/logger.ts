import pino from 'pino';
import { namespace } from './db/cls';

export const logger = pino({
  level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'silent' : 'info'),
  redact: {
    paths: ['req.headers.cookie', 'req.body.password', 'password', 'cpf', '*.password', '*.cpf'],
    censor: '[oculto]',
  },
});

export type Logger = typeof logger;

/**
 * The logger of the work going on: inside a request, the request's own (it carries the request id,
 * put in the CLS context by setUpRequestContext); elsewhere the process logger.
 */
export function currentLogger(): Logger {
  return (namespace.active ? (namespace.get('log') as Logger | undefined) : undefined) ?? logger;
}
