import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { testEnv } from '../../support/environment';
import { $, agentFor, csrfFrom } from '../../support/http';
import { createTestTenant, type TestTenant } from '../../support/tenants';
import { loggedInAs } from '../../support/fixtures';

const MESSAGE = 'caractere inválido (NUL)';

describe('Integration - security/NUL characters are refused at the door (400, nothing kept)', () => {
  let t: TestTenant;

  before(async () => {
    t = await createTestTenant();
  });

  async function sessionsWithNul(): Promise<number> {
    const [r] = await testEnv().sequelize.query<{ n: number }>("SELECT count(*)::int AS n FROM platform.sessions WHERE strpos(sess::text, '\\u0000') > 0", { type: QueryTypes.SELECT });
    return r.n;
  }

  it('refuses a form field holding a NUL before CSRF, the session or a route see it', async () => {
    const agent = agentFor(t.host);
    const page = await agent.get('/login').expect(200);
    const before = await sessionsWithNul();
    const res = await agent.post('/login').type('form').send({ email: 'a\u0000b@x.gov.br', password: 'x', _csrf: csrfFrom(page.text) }).expect(400);
    expect($(res.text)('html').attr('lang')).to.equal('pt-BR');
    expect(res.text).to.include(MESSAGE);
    expect(await sessionsWithNul()).to.equal(before);
  });

  it('refuses a NUL in the query string and in the path', async () => {
    const agent = agentFor(t.host);
    expect((await agent.get('/consulta-publica?numero=a%00b').expect(400)).text).to.include(MESSAGE);
    expect((await agent.get('/protocolo/acompanhar?numero=%00').expect(400)).text).to.include(MESSAGE);
    expect((await agent.get('/processos/1%00').expect(400)).text).to.include(MESSAGE);
  });

  it('refuses a NUL in a multipart field (uploads)', async () => {
    const admin = await loggedInAs(t, 'admin');
    const page = await admin.get('/administracao/unidades/importar').expect(200);
    const res = await admin
      .post('/administracao/unidades/importar')
      .field('_csrf', csrfFrom(page.text))
      .field('nota', 'a\u0000b')
      .attach('arquivo', Buffer.from('sigla,nome,sigla_superior,codigo_protocolo\n', 'utf8'), { filename: 'u.csv', contentType: 'text/csv' })
      .expect(400);
    expect(res.text).to.include(MESSAGE);
  });
});
