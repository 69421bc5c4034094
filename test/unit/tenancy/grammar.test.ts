import { expect } from 'chai';
import { agreeing, derivedArticle, withArticle } from '../../../server/tenancy/grammar';

describe('Unit - tenancy/grammar (the ente and its article)', () => {
  it('derives the article from the head of the name, or from the kind', () => {
    expect(derivedArticle('municipio', 'Prefeitura Municipal de Paraty')).to.equal('a');
    expect(derivedArticle('estado', 'Governo do Estado do Maranhão')).to.equal('o');
    expect(derivedArticle('orgao', 'Câmara Municipal de Angra dos Reis')).to.equal('a');
    expect(derivedArticle('orgao', 'Fundação de Cultura')).to.equal('a');
    expect(derivedArticle('orgao', 'Consórcio Intermunicipal do Vale')).to.equal('o');
    expect(derivedArticle('orgao', 'Tribunal de Contas do Estado')).to.equal('o');
    expect(derivedArticle('municipio', '')).to.equal('a');
  });

  it('contracts the article with the preposition, and lets a set article win', () => {
    const paraty = { name: 'Prefeitura Municipal de Paraty', kind: 'municipio' as const };
    expect(withArticle('de', paraty)).to.equal('da Prefeitura Municipal de Paraty');
    expect(withArticle('em', paraty)).to.equal('na Prefeitura Municipal de Paraty');
    expect(withArticle('a', paraty)).to.equal('à Prefeitura Municipal de Paraty');
    expect(withArticle('', paraty)).to.equal('a Prefeitura Municipal de Paraty');
    expect(withArticle('de', { name: 'Governo do Estado do Maranhão', kind: 'estado' })).to.equal('do Governo do Estado do Maranhão');
    expect(withArticle('de', { name: 'Paraty', article: 'o' })).to.equal('do Paraty');
    expect(agreeing(paraty, 'representado')).to.equal('representada');
    expect(agreeing({ name: 'Consórcio do Vale' }, 'representado')).to.equal('representado');
  });
});
