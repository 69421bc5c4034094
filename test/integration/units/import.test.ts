import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { loggedInAs, tenantWithAdmin } from '../../support/fixtures';
import { testEnv } from '../../support/environment';
import { $, csrfFrom, type Agent } from '../../support/http';
import type { TestTenant } from '../../support/tenants';

const HEADER = 'sigla,nome,sigla_superior,codigo_protocolo\n';

async function unitCount(t: TestTenant): Promise<number> {
  const [r] = await testEnv().sequelize.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${t.tenant.schema}".units`, { type: QueryTypes.SELECT });
  return r.n;
}

async function preview(agent: Agent, csv: string, status: number) {
  const page = await agent.get('/administracao/unidades/importar').expect(200);
  return agent
    .post('/administracao/unidades/importar')
    .field('_csrf', csrfFrom(page.text))
    .attach('arquivo', Buffer.from(csv, 'utf8'), { filename: 'unidades.csv', contentType: 'text/csv' })
    .expect(status);
}

describe('Integration - units/CSV import and export', () => {
  let t: TestTenant;
  let admin: Agent;

  before(async () => {
    ({ t, admin } = await tenantWithAdmin());
  });

  it('previews a file with errors row by row and writes nothing', async () => {
    const before = await unitCount(t);
    const res = await preview(admin, HEADER + 'SEADM,Secretaria de Administração,PMT,\nDRH,Departamento de RH,NADA,\nSEADM,Outra,PMT,\nDCP,Compras,SEADM,123\nX,Unidade X,Y,\nY,Unidade Y,X,\n', 422);
    const page = $(res.text);
    expect(page('[data-testid="import-errors"]').text()).to.contain('5 de 6 linhas têm erros');
    const result = (line: number): string => page(`tr[data-line="${line}"] td`).last().text();
    expect(result(2)).to.contain('OK');
    expect(result(3)).to.contain('Unidade superior NADA não existe');
    expect(result(4)).to.contain('Sigla SEADM repetida');
    expect(result(5)).to.contain('Código de protocolo inválido');
    expect(result(6)).to.contain('Ciclo');
    expect(page('form[action="/administracao/unidades/importar/confirmar"]').length).to.equal(0);
    expect(await unitCount(t)).to.equal(before);
  });

  it('refuses a confirmation of an invalid file (all or nothing), writing nothing', async () => {
    const before = await unitCount(t);
    const page = await admin.get('/administracao/unidades/importar').expect(200);
    const csv = HEADER + 'SEADM,Secretaria de Administração,PMT,\nDRH,Departamento de RH,NADA,\n';
    const res = await admin.post('/administracao/unidades/importar/confirmar').type('form').send({ _csrf: csrfFrom(page.text), csv }).expect(422);
    expect($(res.text)('[data-testid="import-errors"]').text()).to.contain('1 de 2 linhas');
    expect(await unitCount(t)).to.equal(before);
  });

  it('imports a valid file only when the admin confirms, in one go, and exports the same format', async () => {
    const before = await unitCount(t);
    const csv = HEADER + 'DRH,Departamento de Recursos Humanos,SEADM,40001\nSEADM,Secretaria de Administração,PMT,\nsegov,Secretaria Municipal de Governo,PMT,40002\n';
    const res = await preview(admin, csv, 200);
    const page = $(res.text);
    expect(page('[data-testid="import-ok"]').text()).to.contain('2 unidades novas e 1 alteradas');
    expect(await unitCount(t)).to.equal(before);
    await admin
      .post('/administracao/unidades/importar/confirmar')
      .type('form')
      .send({ _csrf: csrfFrom(res.text), csv: page('input[name="csv"]').val() })
      .expect(302)
      .expect('Location', '/administracao/unidades');
    expect(await unitCount(t)).to.equal(before + 2);
    const tree = $((await admin.get('/administracao/unidades').expect(200)).text);
    expect(tree('[data-testid="flash"]').text()).to.contain('Importação concluída');
    expect(tree('.app-tree-path').map((_i, el) => tree(el).text()).get()).to.include('PMT/SEADM/DRH');
    const [audit] = await testEnv().sequelize.query<{ after: { created: number; updated: number } }>(
      `SELECT after FROM "${t.tenant.schema}".audit_log WHERE action = 'unit.import'`,
      { type: QueryTypes.SELECT },
    );
    expect(audit.after).to.include({ created: 2, updated: 1 });

    const exported = await admin.get('/administracao/unidades/exportar.csv').expect(200).expect('Content-Type', /text\/csv/);
    const lines = exported.text.replace(/^\uFEFF/, '').trim().split('\n');
    expect(lines[0]).to.equal('sigla,nome,sigla_superior,codigo_protocolo');
    expect(lines[1]).to.equal('PMT,Prefeitura Municipal de Teste,,10001');
    expect(lines).to.include('DRH,Departamento de Recursos Humanos,SEADM,40001');
    expect(lines).to.include('SEGOV,Secretaria Municipal de Governo,PMT,40002');
    // Re-importing the export changes nothing.
    const again = $((await preview(admin, exported.text, 200)).text);
    expect(again('[data-testid="import-ok"]').text()).to.contain('0 unidades novas e 0 alteradas');
  });

  it('neutralises formula cells on export (=, +, -, @, tab, CR) and the import of that file changes nothing', async () => {
    const hostile = ['=HYPERLINK("http://x.test","Clique")', '+55 21 0000', '-2+3', '@SUM(A1:A9)', '\tTabulada', '\rRetorno', "'=Já com aspa", "'Aspa comum"];
    const db = testEnv().sequelize;
    for (const [i, name] of hostile.entries()) {
      await db.query(`INSERT INTO "${t.tenant.schema}".units (acronym, name, parent_id) SELECT $1, $2, id FROM "${t.tenant.schema}".units WHERE parent_id IS NULL`, { bind: [`FX${i}`, name] });
    }
    const exported = await admin.get('/administracao/unidades/exportar.csv').expect(200);
    const { parse } = await import('csv-parse/sync');
    const rows = parse(exported.text.replace(/^\uFEFF/, '')) as string[][];
    const byAcronym = new Map(rows.map((r) => [r[0], r[1]]));
    for (const [i, name] of hostile.entries()) {
      const cell = byAcronym.get(`FX${i}`)!;
      expect(cell, name).to.not.match(/^[=+\-@\t\r]/);
    }
    expect(byAcronym.get('FX0')).to.equal(`'${hostile[0]}`);
    expect(byAcronym.get('FX7')).to.equal("'Aspa comum");
    const again = $((await preview(admin, exported.text, 200)).text);
    expect(again('[data-testid="import-ok"]').text()).to.contain('0 unidades novas e 0 alteradas');
  });

  it('asks for a file when none is sent', async () => {
    const page = await admin.get('/administracao/unidades/importar').expect(200);
    const res = await admin.post('/administracao/unidades/importar').field('_csrf', csrfFrom(page.text)).expect(422);
    expect($(res.text)('#arquivo-error').text()).to.contain('Escolha um arquivo CSV');
  });

  it('refuses the import to a user without the admin role', async () => {
    const clerk = await loggedInAs(t, 'clerk');
    const _csrf = csrfFrom((await clerk.get('/').expect(200)).text);
    await clerk.post('/administracao/unidades/importar/confirmar').type('form').send({ _csrf, csv: HEADER + 'ZZ,Unidade ZZ,PMT,\n' }).expect(403);
    await clerk.post('/administracao/unidades/importar').field('_csrf', _csrf).attach('arquivo', Buffer.from(HEADER), 'u.csv').expect(403);
  });
});
