import { expect } from 'chai';
import request from 'supertest';
import { Tenant } from '../../../server/models';
import { testEnv } from '../../support/environment';
import { $ } from '../../support/http';
import { createTestTenant } from '../../support/tenants';

describe('Integration - platform/directory (entes aderentes)', () => {
  it('finds an active tenant by part of its name, ignoring accents and case, with a link to its address', async () => {
    const t = await createTestTenant({ name: 'Prefeitura Municipal de São João da Barra' });
    const res = await request(testEnv().app).get('/entes').query({ q: 'sao joao' }).set('Host', 'localhost').expect(200);
    const rows = $(res.text)('tbody tr');
    expect(rows.text()).to.contain('São João da Barra');
    expect($(res.text)(`a[href="http://${t.definition.slug}.localhost:3000/"]`).length).to.equal(1);
  });

  it('filters by UF and leaves suspended tenants out', async () => {
    const ma = await createTestTenant({ name: 'Governo de Teste do Maranhão', kind: 'estado', uf: 'MA', ibgeCode: '21' });
    const gone = await createTestTenant({ name: 'Governo de Teste Suspenso', uf: 'MA' });
    await Tenant.update({ status: 'suspended' }, { where: { id: gone.tenant.id } });
    const res = await request(testEnv().app).get('/entes').query({ q: 'governo de teste', uf: 'MA' }).set('Host', 'localhost').expect(200);
    const text = $(res.text)('tbody').text();
    expect(text).to.contain(ma.definition.name);
    expect(text).to.not.contain('Suspenso');
  });

  it('answers a query with nothing found plainly, and ignores a malformed UF', async () => {
    const res = await request(testEnv().app).get('/entes').query({ q: 'xyzxyz', uf: 'rio' }).set('Host', 'localhost').expect(200);
    expect($(res.text)('tbody').text()).to.contain('Nenhum ente encontrado');
  });
});
