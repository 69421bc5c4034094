import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type Configuration } from 'oidc-provider';
import type { Router } from 'express';
import { createApp } from '../../server/app';
import { LoginThrottle } from '../../server/auth/loginThrottle';
import type { Config } from '../../server/config';
import { GovbrClient } from '../../server/govbr/client';
import { GovbrService } from '../../server/govbr/service';
import { platformUrl } from '../../server/tenancy/urls';
import { testEnv } from './environment';

/** A gov.br account of the test provider: `sub` is the CPF, as at gov.br. */
export interface GovbrAccount {
  cpf: string;
  name: string;
  email: string;
  emailVerified: boolean;
  /** Selos de confiabilidade, by gov.br's level ids ("1" bronze, "2" prata, "3" ouro). */
  levels: string[];
}

export const GOVBR_CLIENT = { clientId: 'pen-nuvem-teste', clientSecret: 'segredo-do-cliente-de-teste-0123456789' };

/**
 * A real OpenID Connect provider (the `oidc-provider` package) on loopback, configured like gov.br's
 * Login Único: scopes openid/email/profile/govbr_confiabilidades, the CPF as `sub`, PKCE required,
 * claims in UserInfo (the ID token carries `sub`), RP-initiated logout. Its development login and
 * consent pages are real HTML forms (any password is accepted for a known account).
 */
export class GovbrTestProvider {
  readonly accounts = new Map<string, GovbrAccount>();
  issuer = '';
  private server?: http.Server;

  async start(redirectUri: string, postLogoutRedirectUri: string): Promise<void> {
    this.server = http.createServer();
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.issuer = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    const configuration: Configuration = {
      clients: [
        {
          client_id: GOVBR_CLIENT.clientId,
          client_secret: GOVBR_CLIENT.clientSecret,
          redirect_uris: [redirectUri],
          post_logout_redirect_uris: [postLogoutRedirectUri],
          grant_types: ['authorization_code'],
          response_types: ['code'],
        },
      ],
      scopes: ['openid', 'email', 'profile', 'govbr_confiabilidades'],
      claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'], govbr_confiabilidades: ['govbr_confiabilidades'] },
      findAccount: async (_ctx, sub) => {
        const account = this.accounts.get(sub);
        if (!account) return undefined;
        return {
          accountId: sub,
          claims: async () => ({
            sub,
            name: account.name,
            email: account.email,
            email_verified: account.emailVerified,
            govbr_confiabilidades: account.levels.map((id) => ({ id })),
          }),
        };
      },
      pkce: { required: () => true },
      ttl: { AuthorizationCode: 60, AccessToken: 600, IdToken: 600, Interaction: 600, Session: 3600, Grant: 3600 },
      cookies: { keys: ['chave-de-cookies-do-provedor-de-teste'] },
      features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
      renderError: async (ctx, out) => {
        ctx.type = 'html';
        ctx.body = `<!DOCTYPE html><html lang="en"><head><title>Error</title></head><body><main><h1>${String(out.error)}</h1></main></body></html>`;
      },
    };
    const provider = new Provider(this.issuer, configuration);
    this.server.on('request', provider.callback());
  }

  add(account: GovbrAccount): GovbrAccount {
    this.accounts.set(account.cpf, account);
    return account;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server?.closeAllConnections();
  }

  /**
   * Goes through the provider's own login and consent forms over HTTP (with its cookies), as a
   * browser would, and answers the redirect to our callback (code and state).
   */
  async signIn(authorizationUrl: string, cpf: string): Promise<URL> {
    const jar = new Map<string, string>();
    const send = async (url: string, init: RequestInit = {}): Promise<Response> => {
      const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers ?? {}), cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } });
      for (const c of res.headers.getSetCookie()) {
        const [pair] = c.split(';');
        const i = pair.indexOf('=');
        jar.set(pair.slice(0, i), pair.slice(i + 1));
      }
      return res;
    };
    let url = authorizationUrl;
    for (let hop = 0; hop < 20; hop += 1) {
      if (!url.startsWith(this.issuer)) return new URL(url);
      const res = await send(url);
      if (res.status >= 300 && res.status < 400) {
        url = new URL(res.headers.get('location')!, url).href;
        continue;
      }
      const html = await res.text();
      const action = /action="([^"]+)"/.exec(html)?.[1];
      if (!action) throw new Error(`Página do provedor sem formulário (${res.status}): ${html.slice(0, 300)}`);
      const prompt = /name="prompt" value="(\w+)"/.exec(html)?.[1];
      const body = new URLSearchParams(prompt === 'login' ? { prompt, login: cpf, password: 'qualquer' } : { prompt: prompt ?? 'consent' });
      const posted = await send(new URL(action, url).href, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      url = new URL(posted.headers.get('location')!, url).href;
    }
    throw new Error('Redirecionamentos demais no provedor');
  }
}

/** A gov.br service for the test app, talking to `issuer` (a closed port stands for gov.br down). */
export function govbrServiceFor(issuer: string, config: Config = testEnv().config): GovbrService {
  const settings = { issuer, ...GOVBR_CLIENT };
  const withGovbr: Config = { ...config, govbr: settings };
  return new GovbrService(testEnv().sequelize, withGovbr, new GovbrClient(settings, GovbrService.redirectUri(withGovbr), 3));
}

/**
 * The gov.br set-up of a test file: the test provider started with the platform's callback and
 * end-session addresses (of `config`), a GovbrService talking to it, and the app with that service
 * and a login throttle loose enough for many sign-ins. `tenant`: extra routes on tenant hosts (a test
 * portal). Stop the provider after the file (`provider.stop()`).
 */
export type AppWithGovbr = ReturnType<typeof createApp>;

export async function appWithGovbr(opts: { config?: Config; tenant?: Router } = {}): Promise<{ provider: GovbrTestProvider; govbr: GovbrService; app: AppWithGovbr }> {
  const config = opts.config ?? testEnv().config;
  const provider = new GovbrTestProvider();
  await provider.start(platformUrl(config, '/entrar/govbr/retorno'), platformUrl(config, '/'));
  const govbr = govbrServiceFor(provider.issuer, config);
  return { provider, govbr, app: appWithGovbrService(govbr, config, opts.tenant) };
}

/** The test app with `govbr` as its gov.br service (a closed port's stands for gov.br down). */
export function appWithGovbrService(govbr: GovbrService, config: Config = testEnv().config, tenant?: Router): AppWithGovbr {
  const loginThrottle = new LoginThrottle(testEnv().sequelize, { perAccount: 100, perIp: 1000, windowSeconds: 60 });
  return createApp({ ...testEnv(), config, loginThrottle, govbr }, testEnv().sessionPool, tenant ? { tenant } : {});
}

/** A valid CPF from 9 random digits (check digits computed as the Receita does). */
export function randomCpf(): string {
  const base = Array.from(crypto.randomBytes(9), (b) => b % 10);
  const dv = (digits: number[]) => {
    const sum = digits.reduce((s, d, i) => s + d * (digits.length + 1 - i), 0);
    const r = (sum * 10) % 11;
    return r === 10 ? 0 : r;
  };
  const d1 = dv(base);
  return [...base, d1, dv([...base, d1])].join('');
}
