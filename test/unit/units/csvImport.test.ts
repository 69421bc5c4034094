import { expect } from 'chai';
import { planImport } from '../../../server/units/csvImport';
import type { UnitRow } from '../../../server/units/service';

const existing: UnitRow[] = [
  { id: '1', parentId: null, acronym: 'PMAR', name: 'Prefeitura', protocolCode: '10001', active: true, people: 0 },
  { id: '2', parentId: '1', acronym: 'SEGOV', name: 'Secretaria de Governo', protocolCode: null, active: true, people: 0 },
  { id: '3', parentId: '1', acronym: 'SEFAZ', name: 'Secretaria de Fazenda', protocolCode: '20002', active: false, people: 0 },
];
const HEADER = 'sigla,nome,sigla_superior,codigo_protocolo\n';

function errorsOf(csv: string): string[][] {
  return planImport(HEADER + csv, existing).rows.map((r) => r.errors);
}

describe('Unit - units/csvImport', () => {
  it('accepts new units whose parents come later in the file, and updates existing ones', () => {
    const plan = planImport(HEADER + 'DRH,Departamento de RH,SEADM,30001\nSEADM,Secretaria de Administração,PMAR,\nSEGOV,Secretaria Municipal de Governo,PMAR,\n', existing);
    expect(plan.valid).to.equal(true);
    expect(plan.rows.map((r) => r.action)).to.deep.equal(['create', 'create', 'update']);
    expect([plan.creates, plan.updates]).to.deep.equal([2, 1]);
  });

  it('marks a row of an exported file without changes as unchanged', () => {
    const plan = planImport(HEADER + 'PMAR,Prefeitura,,10001\nSEGOV,Secretaria de Governo,PMAR,\n', existing);
    expect(plan.valid).to.equal(true);
    expect(plan.rows.map((r) => r.action)).to.deep.equal(['unchanged', 'unchanged']);
  });

  it('reports an unknown parent, a duplicate sigla, a bad code and a missing parent', () => {
    const errors = errorsOf('A,Unidade A,NADA,\nB,Unidade B,PMAR,12\nB,Outra B,PMAR,\nC,Unidade C,,\n');
    expect(errors[0].join()).to.contain('Unidade superior NADA não existe');
    expect(errors[1].join()).to.contain('Código de protocolo inválido: 12');
    expect(errors[2].join()).to.contain('Sigla B repetida (já na linha 3)');
    expect(errors[3].join()).to.contain('Informe a sigla da unidade superior');
  });

  it('reports a cycle made inside the file and one made with the existing tree', () => {
    const inFile = errorsOf('X,Unidade X,Y,\nY,Unidade Y,X,\n');
    expect(inFile[0].join()).to.contain('Ciclo: X → Y → X');
    const withTree = errorsOf('SEGOV,Secretaria de Governo,NOVA,\nNOVA,Nova,SEGOV,\n');
    expect(withTree[0].join()).to.contain('Ciclo');
    expect(errorsOf('Z,Unidade Z,Z,\n')[0].join()).to.contain('Ciclo');
  });

  it('reports protocol codes used twice, in the file or by a unit outside it', () => {
    const errors = errorsOf('A,Unidade A,PMAR,20002\nB,Unidade B,PMAR,40004\nC,Unidade C,PMAR,40004\n');
    expect(errors[0].join()).to.contain('já é de SEFAZ');
    expect(errors[2].join()).to.contain('já é de B');
  });

  it('refuses a parent that is deactivated, and a root made subordinate', () => {
    expect(errorsOf('A,Unidade A,SEFAZ,\n')[0].join()).to.contain('desativada');
    expect(errorsOf('PMAR,Prefeitura,SEGOV,\n')[0].join()).to.contain('raiz');
  });

  it('refuses a file without the header or without rows, and one that is not CSV', () => {
    expect(planImport('SEGOV,Secretaria,PMAR,\n', existing).fileErrors.join()).to.contain('cabeçalho');
    expect(planImport(HEADER, existing).fileErrors.join()).to.contain('nenhuma unidade');
    expect(planImport(HEADER + 'A,"sem fim,PMAR,\n', existing).fileErrors.join()).to.contain('não é um CSV válido');
  });

  it('accepts semicolons as separators (spreadsheets in pt-BR save them) and a BOM', () => {
    const plan = planImport('\uFEFFsigla;nome;sigla_superior;codigo_protocolo\nDRH;Departamento;SEGOV;\n', existing);
    expect(plan.valid).to.equal(true);
  });
});
