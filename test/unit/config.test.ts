import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../server/config';

describe('Unit - config', () => {
  const prod = { NODE_ENV: 'production', DATABASE_URL: 'postgres://u:p@db/pen', SMTP_URL: 'smtp://mail:25', SESSION_SECRET: 'x'.repeat(40) };

  it('starts in development with defaults that work on a laptop', () => {
    const c = loadConfig({});
    expect(c.PORT).to.equal(3000);
    expect(c.APP_DOMAIN).to.equal('localhost');
    expect(c.production).to.equal(false);
    expect(c.demoPassword).to.be.a('string').and.not.empty;
  });

  it('accepts a complete production configuration', () => {
    const c = loadConfig(prod);
    expect(c.production).to.equal(true);
    expect(c.scheme).to.equal('https');
  });

  it('refuses production without SESSION_SECRET', () => {
    expect(() => loadConfig({ ...prod, SESSION_SECRET: undefined })).to.throw(ConfigError, /SESSION_SECRET/);
  });

  it('refuses production with a demo password', () => {
    expect(() => loadConfig({ ...prod, DEMO_PASSWORD: 'Demo@2026' })).to.throw(ConfigError, /DEMO_PASSWORD/);
  });

  it('refuses an invalid port with a clear message', () => {
    expect(() => loadConfig({ PORT: 'abc' })).to.throw(ConfigError, /PORT/);
  });

  it('takes gov.br sign-in as all three GOVBR_* variables or none, and https in production', () => {
    expect(loadConfig({}).govbr).to.equal(null);
    const govbr = { GOVBR_ISSUER: 'https://sso.acesso.gov.br', GOVBR_CLIENT_ID: 'pen', GOVBR_CLIENT_SECRET: 's' };
    expect(loadConfig(govbr).govbr).to.deep.equal({ issuer: 'https://sso.acesso.gov.br', clientId: 'pen', clientSecret: 's' });
    expect(() => loadConfig({ GOVBR_ISSUER: 'https://sso.acesso.gov.br' })).to.throw(ConfigError, /todos ou nenhum/);
    expect(() => loadConfig({ ...prod, ...govbr, GOVBR_ISSUER: 'http://sso.example' })).to.throw(ConfigError, /https/);
    expect(() => loadConfig({ ...govbr, GOVBR_ISSUER: 'não é url' })).to.throw(ConfigError, /GOVBR_ISSUER/);
  });
});
