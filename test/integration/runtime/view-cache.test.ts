import { expect } from 'chai';
import request from 'supertest';
import { testEnv } from '../../support/environment';
import { agentFor, login } from '../../support/http';
import { createTestTenant, TEST_PASSWORD, type TestTenant } from '../../support/tenants';

/**
 * Production renders with the view cache on, through PageEngine's own path (compiled templates,
 * helpers and partials held once); tests otherwise render with it off (templates re-read, through
 * express-handlebars). Both must give the same page, byte for byte.
 */
describe('Integration - runtime/view cache (production rendering gives the same pages)', () => {
  let angra: TestTenant;

  before(async () => {
    angra = await createTestTenant();
  });

  it('renders the same pages, with and without the view cache, for an anonymous visitor and a logged-in user', async () => {
    const cached = testEnv().buildApp();
    cached.enable('view cache');
    const plain = testEnv().buildApp();
    const cookie = String(([] as string[]).concat((await login(agentFor(angra.host), angra.clerk.email, TEST_PASSWORD)).headers['set-cookie'] ?? [])[0]).split(';')[0];
    // The first page saves the session (its CSRF token); from then on both apps read the same session.
    await request(plain).get('/').set('Host', angra.host).set('Cookie', cookie).expect(200);
    const pages: { path: string; status: number; cookie?: string }[] = [
      { path: '/login', status: 200 },
      { path: '/nao-existe', status: 404 },
      { path: '/', status: 200, cookie },
      { path: '/pesquisa', status: 200, cookie },
      { path: '/processos/novo', status: 200, cookie },
      { path: '/nao-existe', status: 404, cookie },
    ];
    for (const page of pages) {
      const get = (app: typeof plain) => {
        const r = request(app).get(page.path).set('Host', angra.host);
        return page.cookie ? r.set('Cookie', page.cookie) : r;
      };
      await get(cached); // the first render compiles; the second is served from the held templates
      const a = await get(plain);
      const b = await get(cached);
      expect(a.status, page.path).to.equal(page.status);
      expect(b.status, page.path).to.equal(page.status);
      // Anonymous pages carry a fresh session's CSRF token each: compare without it.
      const strip = (html: string) => (page.cookie ? html : html.replace(/name="_csrf" value="[^"]*"/g, ''));
      expect(strip(b.text), page.path).to.equal(strip(a.text));
      expect(b.text, page.path).to.include('</html>');
    }
  });
});
