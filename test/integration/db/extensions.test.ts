import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { testEnv } from '../../support/environment';

describe('Integration - db/extensions (search support shared by every tenant)', () => {
  async function matches(text: string, query: string): Promise<boolean> {
    const [row] = await testEnv().sequelize.query<{ hit: boolean }>(
      `SELECT to_tsvector('extensions.pt_unaccent', $1) @@ plainto_tsquery('extensions.pt_unaccent', $2) AS hit`,
      { bind: [text, query], type: QueryTypes.SELECT },
    );
    return row.hit;
  }

  it('finds "licitação" when searching "licitacao", and the other way round', async () => {
    expect(await matches('Abertura de licitação para merenda escolar', 'licitacao')).to.equal(true);
    expect(await matches('Abertura de licitacao para merenda escolar', 'licitação')).to.equal(true);
  });

  it('stems Portuguese words: "contratos" is found by "contrato"', async () => {
    expect(await matches('Fiscalização dos contratos vigentes', 'contrato')).to.equal(true);
    expect(await matches('Fiscalização dos contratos vigentes', 'merenda')).to.equal(false);
  });

  it('offers an immutable unaccent for indexes', async () => {
    const [row] = await testEnv().sequelize.query<{ v: string }>(`SELECT extensions.immutable_unaccent('São João da Barra') AS v`, {
      type: QueryTypes.SELECT,
    });
    expect(row.v).to.equal('Sao Joao da Barra');
  });
});
