import type { Config } from '../config';

function origin(config: Config, host: string): string {
  const defaultPort = config.scheme === 'https' ? 443 : 80;
  const port = config.production || config.PORT === defaultPort ? '' : `:${config.PORT}`;
  return `${config.scheme}://${host}${port}`;
}

/** The host name of a tenant's address: `<slug>.<APP_DOMAIN>`. */
export function tenantHost(config: Config, slug: string): string {
  return `${slug}.${config.APP_DOMAIN}`;
}

/** Absolute URL on a tenant's host, for e-mails and QR codes. */
export function tenantUrl(config: Config, slug: string, path = '/'): string {
  return `${origin(config, tenantHost(config, slug))}${path}`;
}

/** Absolute URL on the platform host. */
export function platformUrl(config: Config, path = '/'): string {
  return `${origin(config, config.APP_DOMAIN)}${path}`;
}

/** Absolute URL on any host this deployment serves (a tenant's subdomain or custom domain). */
export function hostUrl(config: Config, host: string, path = '/'): string {
  return `${origin(config, host)}${path}`;
}
