import { expect } from 'chai';
import { allMunicipalities, allStates, municipalityByCode, searchMunicipalities, stateGovernmentName } from '../../../server/adhesion/ibge';

describe('Unit - adhesion/ibge', () => {
  it('holds the 5,570 IBGE entries and the 27 federative units', () => {
    expect(allMunicipalities()).to.have.length(5570);
    expect(allStates()).to.have.length(27);
    expect(allStates().find((s) => s.uf === 'MA')).to.deep.equal({ uf: 'MA', name: 'Maranhão', ibgeCode: '21' });
  });

  it('finds Angra dos Reis (3300100) from "angra", "Angra dos Reis" and "ANGRA DOS REIS"', () => {
    for (const q of ['angra', 'Angra dos Reis', 'ANGRA DOS REIS', '  angra  ']) {
      expect(searchMunicipalities(q).map((m) => m.ibgeCode), q).to.include('3300100');
    }
  });

  it('ignores accents and case in the query and in the names', () => {
    expect(searchMunicipalities('sao paulo', 'SP')[0]).to.deep.equal({ ibgeCode: '3550308', name: 'São Paulo', uf: 'SP' });
    expect(searchMunicipalities('SÃO PÁULO', 'SP')[0].ibgeCode).to.equal('3550308');
    expect(searchMunicipalities('goiania', 'GO')[0].name).to.equal('Goiânia');
  });

  it('filters by UF and puts names that start with the query first', () => {
    const rj = searchMunicipalities('rio', 'RJ', 100);
    expect(rj.every((m) => m.uf === 'RJ')).to.equal(true);
    expect(rj[0].name.toLowerCase().startsWith('rio')).to.equal(true);
    expect(searchMunicipalities('angra', 'SP')).to.have.length(0);
  });

  it('looks a municipality up by its code and names state governments in good Portuguese', () => {
    expect(municipalityByCode('3300100')?.name).to.equal('Angra dos Reis');
    expect(municipalityByCode('9999999')).to.equal(undefined);
    const name = (uf: string) => stateGovernmentName(allStates().find((s) => s.uf === uf)!);
    expect(name('MA')).to.equal('Governo do Estado do Maranhão');
    expect(name('BA')).to.equal('Governo do Estado da Bahia');
    expect(name('SP')).to.equal('Governo do Estado de São Paulo');
    expect(name('DF')).to.equal('Governo do Distrito Federal');
  });
});
