/**
 * Adhesion requests as the wizard leaves them (submitted, e-mail confirmed), for the benchmarks that
 * provision governments through the console's approval service (bench/adhesion.ts, bench/national.ts).
 */
import { allMunicipalities, allStates, stateGovernmentName } from '../../server/adhesion/ibge';
import { suggestAcronym } from '../../server/adhesion/rules';
import { enteKeyOf } from '../../server/adhesion/service';
import { AdhesionRequest, type AdhesionData } from '../../server/models';

export interface Ente {
  kind: 'municipio' | 'estado';
  uf: string;
  ibgeCode: string;
  name: string;
  officialName: string;
}

const CNPJ = '11222333000181';
const CPF = '52998224725';

/** A submitted, e-mail-confirmed request, as the wizard leaves it. */
export async function submittedRequest(e: Ente, slug: string): Promise<string> {
  const ente = { kind: e.kind, uf: e.uf, ibgeCode: e.ibgeCode, orgName: null };
  const data: AdhesionData = {
    ente,
    organ: { officialName: e.officialName, cnpj: CNPJ, address: 'Praça Central, 1', site: '' },
    manager: { name: 'Gestora de Teste', cpf: CPF, title: 'Secretária de Administração', email: `gestor@${slug}.bench`, phone: '2433770000' },
    setup: {
      slug,
      numberingScheme: 'nup',
      protocolCode: e.ibgeCode.padEnd(5, '0').slice(0, 5),
      rootAcronym: suggestAcronym(e.officialName) || 'PM',
      rootName: e.officialName,
      units: [
        { acronym: 'SEGOV', name: 'Secretaria de Governo' },
        { acronym: 'SMS', name: 'Secretaria de Saúde' },
        { acronym: 'SME', name: 'Secretaria de Educação' },
      ],
    },
    agreement: { acceptedName: 'Gestora de Teste', acceptedAt: new Date().toISOString(), version: '2026-1' },
  };
  const row = await AdhesionRequest.create({
    status: 'submitted',
    completedStep: 5,
    kind: e.kind,
    uf: e.uf,
    ibgeCode: e.ibgeCode,
    enteName: e.name,
    enteKey: `${enteKeyOf(ente)}:${slug}`,
    officialName: e.officialName,
    cnpj: CNPJ,
    managerName: 'Gestora de Teste',
    managerEmail: `gestor@${slug}.bench`,
    emailConfirmedAt: new Date(),
    slug,
    data,
    submittedAt: new Date(),
  });
  return String(row.id);
}

export function entes(): Ente[] {
  const municipalities = allMunicipalities().map((m) => ({
    kind: 'municipio' as const,
    uf: m.uf,
    ibgeCode: m.ibgeCode,
    name: `${m.name} (${m.uf})`,
    officialName: `Prefeitura Municipal de ${m.name}`,
  }));
  const states = allStates().map((s) => ({ kind: 'estado' as const, uf: s.uf, ibgeCode: s.ibgeCode, name: s.name, officialName: stateGovernmentName(s) }));
  return [...states, ...municipalities];
}

