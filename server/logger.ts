import pino from 'pino';

export const logger = pino({
  level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'silent' : 'info'),
  redact: {
    paths: ['req.headers.cookie', 'req.body.password', 'password', 'cpf', '*.password', '*.cpf'],
    censor: '[oculto]',
  },
});

export type Logger = typeof logger;
