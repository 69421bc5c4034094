import { spawn } from 'node:child_process';
import path from 'node:path';
import { expect } from 'chai';
import { Client } from 'pg';
import { testEnv } from '../../support/environment';
import { pgbouncerVersion, startPgBouncer, type PgBouncer } from '../../support/pgbouncer';

const ROOT = path.resolve(__dirname, '..', '..', '..');

/**
 * The tests that run again through the pooler. Left out, and why:
 * - "Session store connections": it ends the store's server sessions and expects the pool to see
 *   it; behind PgBouncer the pooler absorbs that (the app's connections are to PgBouncer).
 * - "runs a prepared statement on a connection that served another tenant": it is about named
 *   statements on one server connection; behind PgBouncer 1.18 they are off (DB_PREPARED_STATEMENTS).
 */
const SPECS = ['test/integration/tenancy/isolation.test.ts', 'test/integration/auth/sessions.test.ts'];
const LEFT_OUT = 'Session store connections|runs a prepared statement on a connection that served another tenant';

/** PgBouncer 1.21 added max_prepared_statements: named statements survive transaction pooling. */
function tracksPreparedStatements(): boolean {
  const v = pgbouncerVersion();
  return v.major > 1 || v.minor >= 21;
}

describe('Integration - db/behind PgBouncer in transaction pooling mode', function () {
  this.timeout(240_000);
  let bouncer: PgBouncer;

  before(async () => {
    bouncer = await startPgBouncer(testEnv().url, tracksPreparedStatements() ? { max_prepared_statements: '200' } : {});
  });
  after(async () => {
    await bouncer?.stop();
  });

  it('shows which PgBouncer this is, and on it a named prepared statement breaks across transactions while an unnamed one does not', async () => {
    expect(bouncer.version).to.match(/^PgBouncer \d+\.\d+/);
    // Two server connections, reused last-in first-out (PgBouncer's default): a statement the
    // client prepared alone is on the connection the next transaction takes; its next use lands on
    // the other one.
    const small = await startPgBouncer(testEnv().url, { default_pool_size: '2' });
    const clients = [0, 1].map(() => new Client({ connectionString: small.url }));
    try {
      for (const c of clients) await c.connect();
      const [user, busy] = clients;
      const attempt = async (name: string | undefined): Promise<string[]> => {
        const errors: string[] = [];
        const use = (i: number): Promise<unknown> => user.query({ name, text: 'SELECT $1::int AS n', values: [i] }).catch((e: Error) => errors.push(e.message));
        for (let i = 0; i < 3; i += 1) {
          await use(i);
          await busy.query('BEGIN');
          await busy.query('SELECT 1');
          await use(i);
          await busy.query('COMMIT');
        }
        return errors;
      };
      expect(await attempt(undefined)).to.deep.equal([]);
      const named = await attempt('pen_probe');
      if (tracksPreparedStatements()) expect(named).to.deep.equal([]);
      else expect(named.join('\n')).to.match(/prepared statement "pen_probe" does not exist/);
    } finally {
      for (const c of clients) await c.end().catch(() => undefined);
      await small.stop();
    }
  });

  it('passes the 200-interleaved-request isolation test and the login/session tests with every connection through it', async () => {
    const env = {
      ...process.env,
      NODE_ENV: 'test',
      DATABASE_URL: bouncer.url,
      // Through PgBouncer 1.18 named statements would fail as above: the app runs them unnamed.
      DB_PREPARED_STATEMENTS: tracksPreparedStatements() ? 'true' : 'false',
    };
    const child = spawn(
      process.execPath,
      [
        path.join(ROOT, 'node_modules', 'mocha', 'bin', 'mocha.js'),
        '--no-config', '--node-option', 'import=tsx', '--extension', 'ts', '--require', 'test/support/hooks.ts',
        '--timeout', '30000', '--exit', '--reporter', 'dot', '--grep', process.env.PGB_GREP ?? LEFT_OUT, ...(process.env.PGB_GREP ? [] : ['--invert']), ...SPECS,
      ],
      { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code, `${out}\n--- pgbouncer ---\n${bouncer.log().slice(-3000)}`).to.equal(0);
    const passing = Number(/(\d+) passing/.exec(out)?.[1] ?? 0);
    expect(passing, out).to.be.greaterThanOrEqual(20);
    expect(out).to.not.match(/failing|pending/);
    // The clients really went through the pooler: it logged their logins.
    expect(bouncer.log()).to.match(/login attempt: db=pen_test_[0-9a-f]+ user=postgres/);
  });
});
