import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { createHttpServer } from '../../../server/web/httpServer';
import { testEnv } from '../../support/environment';
import { createTestTenant, type TestTenant } from '../../support/tenants';

interface Answer {
  status: number;
  keepAlive: http.IncomingHttpHeaders['keep-alive'];
  reusedSocket: boolean;
}

function get(agent: http.Agent, port: number, host: string, path: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent, headers: { Host: host } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, keepAlive: res.headers['keep-alive'], reusedSocket: req.reusedSocket }));
    });
    req.on('error', reject);
  });
}

/**
 * A balancer (or any client) keeps idle connections open for up to a minute and sends on them. The
 * server must keep them longer than that: with Node's 5 s, a request sent as the server closes the
 * connection is reset — a 502 for a citizen, and the soak's ECONNRESETs in bench/national.ts.
 */
describe('Integration - runtime/keep-alive (idle connections outlive the balancer’s)', () => {
  let angra: TestTenant;
  let server: http.Server;
  let port: number;

  before(async () => {
    angra = await createTestTenant();
    server = createHttpServer(testEnv().app, testEnv().config);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('announces its keep-alive timeout and still answers on a connection idle for longer than Node’s default', async function () {
    this.timeout(20_000);
    expect(testEnv().config.HTTP_KEEP_ALIVE_SECONDS).to.equal(65);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await get(agent, port, angra.host, '/login');
      expect(first).to.include({ status: 200, keepAlive: 'timeout=65', reusedSocket: false });
      await new Promise((resolve) => setTimeout(resolve, 6_000)); // past Node's 5 s default
      const second = await get(agent, port, angra.host, '/login');
      expect(second).to.include({ status: 200, reusedSocket: true });
    } finally {
      agent.destroy();
    }
  });
});
