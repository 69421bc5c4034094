import { expect } from 'chai';
import { slugProblem as wizardRule } from '../../../server/adhesion/rules';
import { tenantDefinitionSchema } from '../../../server/tenancy/definition';
import { slugProblem } from '../../../server/tenancy/slugs';

describe('Unit - tenancy/slugs (reserved tenant addresses, issue 12 item 7)', () => {
  const reserved = ['platform', 'plataforma', 'public', 'information-schema', 'pg-catalog', 'pg-toast', 'pg-x1', 'extensions', 'postgres', 'template1', 'tenant-12', 'www', 'admin', 'api'];

  it('refuses platform, schema and host names with a clear message', () => {
    for (const slug of reserved) expect(slugProblem(slug), slug).to.match(/^".+" é uma palavra reservada da plataforma\. Escolha outro endereço\.$/);
  });

  it('is the same rule in the adhesion wizard and in tenant definitions (CLI, console approval, provisioning)', () => {
    expect(wizardRule).to.equal(slugProblem);
    for (const slug of reserved) {
      const parsed = tenantDefinitionSchema.safeParse({ slug, name: 'Prefeitura X', kind: 'municipio', uf: 'RJ', root: { acronym: 'PMX', name: 'Prefeitura X' } });
      expect(parsed.success, slug).to.equal(false);
      expect(parsed.error!.issues[0].message).to.contain('palavra reservada');
    }
  });

  it('still accepts ordinary addresses, including ones that merely contain a reserved word', () => {
    for (const slug of ['angra-dos-reis', 'maranhao', 'sp2', 'publicolandia', 'sao-pg', 'api-cultura-mun']) expect(slugProblem(slug), slug).to.equal(null);
  });
});
