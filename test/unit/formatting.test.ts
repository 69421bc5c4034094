import { expect } from 'chai';
import { formatCep, formatCnpj, formatCpf, formatCpfCnpj, formatPhone } from '../../server/formatting';

describe('Unit - formatting (CPF, CNPJ, phone, CEP)', () => {
  it('writes CPF and CNPJ, numeric and alphanumeric, whether stored bare or already masked', () => {
    expect(formatCpf('52998224725')).to.equal('529.982.247-25');
    expect(formatCpf('529.982.247-25')).to.equal('529.982.247-25');
    expect(formatCnpj('11222333000181')).to.equal('11.222.333/0001-81');
    expect(formatCnpj('12abc34501de35')).to.equal('12.ABC.345/01DE-35');
    expect(formatCpfCnpj('52998224725')).to.equal('529.982.247-25');
    expect(formatCpfCnpj('12ABC34501DE35')).to.equal('12.ABC.345/01DE-35');
  });

  it('writes landline and mobile phones with the area code, and the CEP', () => {
    expect(formatPhone('2433770000')).to.equal('(24) 3377-0000');
    expect(formatPhone('24999887766')).to.equal('(24) 99988-7766');
    expect(formatPhone('+55 24 99988-7766')).to.equal('(24) 99988-7766');
    expect(formatCep('23970000')).to.equal('23970-000');
  });

  it('shows anything of another length as given, and nothing for nothing', () => {
    expect(formatCpf('123')).to.equal('123');
    expect(formatPhone('0800')).to.equal('0800');
    expect(formatCpfCnpj(null)).to.equal('');
    expect(formatCep(undefined)).to.equal('');
  });
});
