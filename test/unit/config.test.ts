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
});
