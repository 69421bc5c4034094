import { expect } from 'chai';
import { $, agentFor } from '../../support/http';
import { createTestTenant } from '../../support/tenants';
import { loggedInAs } from '../../support/fixtures';

/** The tenant's main menu (issue 19, point 13). */
describe('Integration - the tenant header menu', () => {
  it('shows anonymous visitors the public entries only, and staff their working menus', async () => {
    const t = await createTestTenant();
    const anonymous = $((await agentFor(t.host).get('/conferir-autenticidade').expect(200)).text);
    const entries = anonymous('[data-testid="main-menu"] a').map((_, el) => anonymous(el).text()).get();
    expect(entries).to.deep.equal(['Serviços ao cidadão', 'Consulta pública de processos', 'Conferir autenticidade de documento', 'Entrar']);
    expect(anonymous('form[role="search"][action="/pesquisa"]')).to.have.length(0);
    expect(anonymous('.br-skiplink a[href="#main-searchbox"]')).to.have.length(0);
    const login$ = $((await agentFor(t.host).get('/login').expect(200)).text);
    expect(login$('[data-testid="main-menu"]').text()).not.to.contain('Controle de processos');
    const clerk = await loggedInAs(t, 'clerk');
    const staff = $((await clerk.get('/').expect(200)).text);
    expect(staff('[data-testid="main-menu"] a').map((_, el) => staff(el).text()).get()).to.include.members(['Controle de processos', 'Iniciar processo', 'Pesquisa']);
    expect(staff('form[role="search"][action="/pesquisa"]')).to.have.length(1);
  });

  it('writes the ente with its article ("do Governo do Estado…", "da Prefeitura…")', async () => {
    const state = await createTestTenant({ kind: 'estado', uf: 'MA', ibgeCode: '21', name: 'Governo do Estado do Maranhão' });
    const forgot = $((await agentFor(state.host).get('/esqueci-minha-senha').expect(200)).text);
    expect(forgot('main').text()).to.contain('processo eletrônico do Governo do Estado do Maranhão');
    const city = await createTestTenant({ name: 'Prefeitura Municipal de Piraí' });
    const check = $((await agentFor(city.host).get('/conferir-autenticidade').expect(200)).text);
    expect(check('main').text()).to.contain('documento da Prefeitura Municipal de Piraí');
    expect(check('img.tenant-arms').attr('alt')).to.equal('Brasão da Prefeitura Municipal de Piraí');
  });
});
