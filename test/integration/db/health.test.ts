import { expect } from 'chai';
import { ConnectionError } from 'sequelize';
import { Pool } from 'pg';
import { DatabaseHealth } from '../../../server/db/health';
import { freePort, testEnv } from '../../support/environment';
import { until } from '../../support/faults';

describe('Integration - db/what a web process knows of the database (fail fast while it is down)', () => {
  let up: Pool;
  let nowhere: Pool;

  before(async () => {
    up = new Pool({ connectionString: testEnv().url, max: 1 });
    // Nothing listens on this port: every connection is refused, as with a stopped PostgreSQL.
    const u = new URL(testEnv().url);
    u.hostname = '127.0.0.1';
    u.port = String(await freePort());
    u.search = '';
    nowhere = new Pool({ connectionString: u.toString(), max: 1 });
  });
  after(async () => {
    await up.end();
    await nowhere.end();
  });

  it('does not count the database down for one lost connection when the database still answers', async () => {
    let probes = 0;
    const health = new DatabaseHealth(async () => {
      probes += 1;
      return up.query('SELECT 1');
    });
    health.observe(new ConnectionError(new Error('Connection terminated unexpectedly')));
    await until('a sonda respondida', () => probes === 1, 5_000);
    await new Promise((r) => setTimeout(r, 50));
    expect(health.isDown()).to.equal(false);
    health.stop();
  });

  it('ignores errors that are not about reaching the database', async () => {
    let probes = 0;
    const health = new DatabaseHealth(async () => {
      probes += 1;
      return nowhere.query('SELECT 1');
    });
    health.observe(new Error('coluna inexistente'));
    await new Promise((r) => setTimeout(r, 100));
    expect(probes).to.equal(0);
    expect(health.isDown()).to.equal(false);
  });

  it('counts it down when the probe is refused too, and up again once the probe is answered', async () => {
    let target = nowhere;
    let probes = 0;
    const health = new DatabaseHealth(async () => {
      probes += 1;
      return target.query('SELECT 1');
    }, 20);
    health.observe(new ConnectionError(new Error('connect ECONNREFUSED')));
    await until('contado fora do ar', () => health.isDown(), 5_000);
    await until('sondas repetidas', () => probes >= 3, 5_000);
    expect(health.isDown()).to.equal(true);
    target = up;
    await until('de volta', () => !health.isDown(), 5_000);
    const after = probes;
    await new Promise((r) => setTimeout(r, 100));
    expect(probes, 'sem sondas depois da volta').to.equal(after);
  });
});
