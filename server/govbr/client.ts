import * as oidc from 'openid-client';
import type { GovbrSettings } from '../config';
import { identityFromClaims, type GovbrIdentity } from './identity';

export const GOVBR_SCOPES = 'openid email profile govbr_confiabilidades';

/** gov.br did not answer (discovery, token or UserInfo): the page says so; password login is unaffected. */
export class GovbrUnavailableError extends Error {
  /** The login page of the host the person came from, when known. */
  loginUrl?: string;
}
/** gov.br answered, but the answer is not a valid login for this request (bad code, nonce, claims…). */
export class GovbrRejectedError extends Error {
  loginUrl?: string;
}

function isLoopback(url: URL): boolean {
  return ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
}

/**
 * The relying party (openid-client): authorization-code flow with PKCE (S256), state and nonce,
 * one fixed redirect URI on the platform host. The provider's metadata is discovered on first use
 * and kept; a failed discovery is retried on the next login.
 */
export class GovbrClient {
  private configuration: Promise<oidc.Configuration> | null = null;

  constructor(
    private readonly settings: GovbrSettings,
    readonly redirectUri: string,
    private readonly timeoutSeconds = 10,
  ) {}

  private async config(): Promise<oidc.Configuration> {
    const issuer = new URL(this.settings.issuer);
    this.configuration ??= oidc
      .discovery(issuer, this.settings.clientId, this.settings.clientSecret, undefined, {
        timeout: this.timeoutSeconds,
        // Plain http only for a provider on this machine (tests, local development).
        execute: issuer.protocol === 'http:' && isLoopback(issuer) ? [oidc.allowInsecureRequests] : [],
      })
      .catch((err: unknown) => {
        this.configuration = null;
        throw new GovbrUnavailableError(`discovery: ${err instanceof Error ? err.message : String(err)}`);
      });
    return this.configuration;
  }

  /** Fresh secrets for one login: state, nonce and PKCE verifier. */
  static secrets(): { state: string; nonce: string; codeVerifier: string } {
    return { state: oidc.randomState(), nonce: oidc.randomNonce(), codeVerifier: oidc.randomPKCECodeVerifier() };
  }

  async authorizationUrl(s: { state: string; nonce: string; codeVerifier: string }): Promise<URL> {
    const config = await this.config();
    return oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.redirectUri,
      scope: GOVBR_SCOPES,
      response_type: 'code',
      state: s.state,
      nonce: s.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(s.codeVerifier),
      code_challenge_method: 'S256',
    });
  }

  /** Exchanges the code of `callbackUrl` (checking state, nonce and PKCE) and reads the identity. */
  async identity(callbackUrl: URL, s: { state: string; nonce: string; codeVerifier: string }): Promise<GovbrIdentity> {
    const config = await this.config();
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(config, callbackUrl, { pkceCodeVerifier: s.codeVerifier, expectedState: s.state, expectedNonce: s.nonce, idTokenExpected: true });
    } catch (err) {
      throw classify(err);
    }
    const idClaims = tokens.claims();
    if (!idClaims) throw new GovbrRejectedError('sem ID token');
    let info: Record<string, unknown>;
    try {
      info = await oidc.fetchUserInfo(config, tokens.access_token, idClaims.sub);
    } catch (err) {
      throw classify(err);
    }
    try {
      return identityFromClaims({ ...idClaims, ...info });
    } catch (err) {
      throw new GovbrRejectedError(err instanceof Error ? err.message : String(err));
    }
  }

  /** gov.br's end-session URL (RP-initiated logout), or null when the provider has none. */
  async endSessionUrl(postLogoutRedirectUri: string): Promise<string | null> {
    try {
      const config = await this.config();
      if (!config.serverMetadata().end_session_endpoint) return null;
      return oidc.buildEndSessionUrl(config, { client_id: this.settings.clientId, post_logout_redirect_uri: postLogoutRedirectUri }).href;
    } catch {
      return null;
    }
  }
}

function classify(err: unknown): Error {
  const message = err instanceof Error ? err.message : String(err);
  // Protocol answers (an error response, a bad ID token) are rejections; failed requests are outages.
  if (err instanceof oidc.ResponseBodyError || err instanceof oidc.AuthorizationResponseError || err instanceof oidc.ClientError) {
    return new GovbrRejectedError(message);
  }
  if (err instanceof TypeError || (err instanceof Error && (err.name === 'AbortError' || err.name === 'TimeoutError' || /fetch failed|ECONNREFUSED/i.test(message)))) {
    return new GovbrUnavailableError(message);
  }
  return new GovbrRejectedError(message);
}
