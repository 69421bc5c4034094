import crypto from 'node:crypto';
import type { Request } from 'express';
import type { Sequelize } from 'sequelize';
import type { Config } from '../config';
import { platformExecute, platformSelect } from '../db/sql';
import { bindSessionToHost } from '../middleware/setUpSession';
import { hostUrl, platformUrl } from '../tenancy/urls';
import { GovbrClient, GovbrRejectedError, GovbrUnavailableError } from './client';
import type { GovbrIdentity } from './identity';

export type GovbrPurpose = 'staff' | 'operator' | 'citizen';

/** A login started on a host must come back within this time (the person types a password at gov.br). */
export const LOGIN_TTL_SECONDS = 10 * 60;
/** A ticket is redeemed by the browser's very next request: a minute is plenty. */
export const TICKET_TTL_SECONDS = 60;

/** Why a ticket was refused; each has its own pt-BR message on the page. */
export type TicketProblem = 'invalid' | 'expired';
export class GovbrTicketError extends Error {
  constructor(readonly problem: TicketProblem) {
    super(problem === 'expired' ? 'O acesso pelo gov.br expirou antes de ser concluído.' : 'Este acesso pelo gov.br não é válido aqui.');
  }
}

/** The callback could not be matched to a login started here (unknown, used or expired `state`). */
export class GovbrStateError extends Error {
  constructor() {
    super('Não encontramos o pedido de acesso que o gov.br respondeu.');
  }
}

const TICKET_FORMAT = /^[A-Za-z0-9_-]{43}$/;

function digest(raw: string): string {
  return crypto.createHash('sha256').update(raw).digest('hex');
}

/**
 * The browser's part of a login: a random secret kept in the session of the host where the login
 * started, whose hash travels with the login and its ticket. A ticket redeems only in the session
 * that started it — not in another browser, not on another host.
 */
function browserBinding(req: Request): string {
  req.session.govbrBinding ??= crypto.randomBytes(32).toString('base64url');
  bindSessionToHost(req);
  return digest(req.session.govbrBinding);
}

/**
 * Sign in with gov.br, for every host, through one callback on the platform host:
 * 1. `begin` (on the host where the person is): stores the login (hashed state, nonce, PKCE verifier,
 *    this host, the session's binding) and answers gov.br's authorization URL;
 * 2. `complete` (the platform's callback): consumes the login by its state, exchanges the code, and
 *    issues a one-time ticket bound to the login's host and session, answering the URL that carries
 *    it back there;
 * 3. `redeem` (on that host): consumes the ticket and answers the identity, for the host to start
 *    its own session. No cookie ever crosses hosts.
 */
export class GovbrService {
  readonly client: GovbrClient;

  constructor(
    private readonly sequelize: Sequelize,
    private readonly config: Config,
    client?: GovbrClient,
  ) {
    if (!config.govbr && !client) throw new Error('gov.br não configurado');
    this.client = client ?? new GovbrClient(config.govbr!, GovbrService.redirectUri(config));
  }

  static redirectUri(config: Config): string {
    return platformUrl(config, '/entrar/govbr/retorno');
  }

  async begin(req: Request, purpose: GovbrPurpose, returnPath: string, nextPath = '/'): Promise<string> {
    const secrets = GovbrClient.secrets();
    const url = await this.client.authorizationUrl(secrets);
    await platformExecute(
      this.sequelize,
      `WITH swept AS (DELETE FROM platform.govbr_logins WHERE expires_at < now() - interval '1 hour')
       INSERT INTO platform.govbr_logins (state_hash, nonce, code_verifier, host, purpose, return_path, next_path, browser_hash, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now() + make_interval(secs => $9))`,
      [digest(secrets.state), secrets.nonce, secrets.codeVerifier, req.hostname.toLowerCase(), purpose, returnPath, nextPath, browserBinding(req), LOGIN_TTL_SECONDS],
    );
    return url.href;
  }

  /**
   * The platform callback. The login is deleted as it is read (a replayed callback finds nothing);
   * gov.br's errors and a code it refuses are GovbrRejectedError, an outage GovbrUnavailableError.
   */
  async complete(callbackUrl: URL): Promise<{ redirect: string; host: string }> {
    const state = callbackUrl.searchParams.get('state') ?? '';
    const [login] = await platformSelect<{
      nonce: string; code_verifier: string; host: string; purpose: GovbrPurpose; return_path: string; next_path: string; browser_hash: string; live: boolean;
    }>(
      this.sequelize,
      `DELETE FROM platform.govbr_logins WHERE state_hash = $1
       RETURNING nonce, code_verifier, host, purpose, return_path, next_path, browser_hash, expires_at > now() AS live`,
      [digest(state)],
    );
    if (!state || !login || !login.live) throw new GovbrStateError();
    let identity: GovbrIdentity;
    try {
      if (callbackUrl.searchParams.has('error')) throw new GovbrRejectedError(callbackUrl.searchParams.get('error') ?? 'error');
      identity = await this.client.identity(callbackUrl, { state, nonce: login.nonce, codeVerifier: login.code_verifier });
    } catch (err) {
      if (err instanceof GovbrRejectedError || err instanceof GovbrUnavailableError) err.loginUrl = hostUrl(this.config, login.host, login.purpose === 'citizen' ? login.return_path : '/login');
      throw err;
    }
    const raw = crypto.randomBytes(32).toString('base64url');
    await platformExecute(
      this.sequelize,
      `WITH swept AS (DELETE FROM platform.govbr_tickets WHERE expires_at < now() - interval '1 hour')
       INSERT INTO platform.govbr_tickets (token_hash, host, purpose, next_path, browser_hash, identity, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(secs => $7))`,
      [digest(raw), login.host, login.purpose, login.next_path, login.browser_hash, JSON.stringify(identity), TICKET_TTL_SECONDS],
    );
    const separator = login.return_path.includes('?') ? '&' : '?';
    return { redirect: hostUrl(this.config, login.host, `${login.return_path}${separator}ticket=${raw}`), host: login.host };
  }

  /**
   * Redeems the ticket in `req.query.ticket` on this host, for `purpose`. The ticket is spent by the
   * first attempt, whether that attempt is valid or not: one replayed elsewhere is burnt, not kept.
   */
  async redeem(req: Request, purpose: GovbrPurpose): Promise<{ identity: GovbrIdentity; nextPath: string }> {
    const raw = typeof req.query.ticket === 'string' ? req.query.ticket : '';
    if (!TICKET_FORMAT.test(raw)) throw new GovbrTicketError('invalid');
    const [ticket] = await platformSelect<{ host: string; purpose: GovbrPurpose; browser_hash: string; identity: GovbrIdentity; next_path: string; live: boolean }>(
      this.sequelize,
      `UPDATE platform.govbr_tickets SET used_at = now() WHERE token_hash = $1 AND used_at IS NULL
       RETURNING host, purpose, browser_hash, identity, next_path, expires_at > now() AS live`,
      [digest(raw)],
    );
    const binding = req.session.govbrBinding;
    if (!ticket || ticket.host !== req.hostname.toLowerCase() || ticket.purpose !== purpose || !binding || digest(binding) !== ticket.browser_hash) {
      throw new GovbrTicketError('invalid');
    }
    if (!ticket.live) throw new GovbrTicketError('expired');
    return { identity: ticket.identity, nextPath: ticket.next_path };
  }

  async endSessionUrl(): Promise<string | null> {
    return this.client.endSessionUrl(platformUrl(this.config, '/'));
  }
}
