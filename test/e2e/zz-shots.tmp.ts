import { BrowserHarness, expectAccessible } from './support/browser';
import { createViaHttp, loggedIn, postForm, processTenant, emailOf } from '../support/processes-http';
import { idsOf } from '../support/processes';
import { TEST_PASSWORD } from '../support/tenants';

describe('shots', function () {
  this.timeout(120000);
  it('takes them', async () => {
    const h = new BrowserHarness();
    await h.start();
    const t = await processTenant();
    const ids = await idsOf(t);
    const clerk = await loggedIn(t, 'servidor');
    const p = await createViaHttp(clerk, { accessLevel: 'restricted', legalBasisId: '1', partyName0: 'Maria Sigilosa' });
    await postForm(clerk, `/processos/${p.id}`, `/processos/${p.id}/sobrestar`, { reason: 'Aguardando laudo médico de Maria' });
    void ids;
    const ctx = await h.newContext();
    const page = await ctx.newPage();
    await page.goto(h.url(t.host, '/login'));
    await page.fill('#email', emailOf(t, 'ana'));
    await page.fill('#password', TEST_PASSWORD);
    await page.click('button[type="submit"]');
    await page.goto(h.url(t.host, `/processos/${p.id}`));
    await expectAccessible(page);
    await page.screenshot({ path: '/tmp/shot-restricted.png', fullPage: true });
    await page.goto(h.url(t.host, `/pesquisa?interessado=Maria`));
    await page.screenshot({ path: '/tmp/shot-search.png', fullPage: true });
    await page.goto(h.url(t.host, `/processos/abc`));
    await expectAccessible(page);
    await page.screenshot({ path: '/tmp/shot-400.png', fullPage: true });
    await h.stop();
  });
});
