import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { foldName } from './rules';

export interface Municipality {
  ibgeCode: string;
  name: string;
  uf: string;
}

export interface State {
  uf: string;
  name: string;
  ibgeCode: string;
}

const CSV = path.resolve(__dirname, '..', '..', 'data', 'ibge-municipios.csv');

let municipalities: (Municipality & { folded: string })[] | undefined;
let states: State[] | undefined;

function load(): void {
  const rows = parse(fs.readFileSync(CSV, 'utf8'), { columns: true, skip_empty_lines: true }) as {
    ibge_code: string;
    name: string;
    uf: string;
    state_name: string;
  }[];
  municipalities = rows.map((r) => ({ ibgeCode: r.ibge_code, name: r.name, uf: r.uf, folded: foldName(r.name) }));
  const byUf = new Map<string, State>();
  for (const r of rows) byUf.set(r.uf, { uf: r.uf, name: r.state_name, ibgeCode: r.ibge_code.slice(0, 2) });
  states = [...byUf.values()].sort((a, b) => a.name.localeCompare(b.name, 'pt-BR'));
}

/** The 27 federative units (26 states and the Distrito Federal), by name. */
export function allStates(): State[] {
  if (!states) load();
  return states!;
}

export function stateByUf(uf: string): State | undefined {
  return allStates().find((s) => s.uf === uf);
}

export function allMunicipalities(): Municipality[] {
  if (!municipalities) load();
  return municipalities!;
}

export function municipalityByCode(code: string): Municipality | undefined {
  return allMunicipalities().find((m) => m.ibgeCode === code);
}

/**
 * Type-ahead over the IBGE list: accents and case ignored, names starting with the query first,
 * then names containing it; optionally within one UF.
 */
export function searchMunicipalities(query: string, uf?: string, limit = 20): Municipality[] {
  if (!municipalities) load();
  const q = foldName(query);
  const pool = municipalities!.filter((m) => !uf || m.uf === uf);
  const hits = q ? pool.filter((m) => m.folded.includes(q)) : pool;
  const ranked = hits.sort(
    (a, b) => Number(!a.folded.startsWith(q)) - Number(!b.folded.startsWith(q)) || a.name.localeCompare(b.name, 'pt-BR'),
  );
  return ranked.slice(0, limit).map(({ ibgeCode, name, uf: u }) => ({ ibgeCode, name, uf: u }));
}

const PREPOSITION: Record<string, string> = {
  BA: 'da', PB: 'da',
  AL: 'de', GO: 'de', MG: 'de', PE: 'de', RO: 'de', RR: 'de', SC: 'de', SP: 'de', SE: 'de',
};

/** "Governo do Estado do Maranhão", "Governo do Distrito Federal". */
export function stateGovernmentName(state: State): string {
  if (state.uf === 'DF') return 'Governo do Distrito Federal';
  return `Governo do Estado ${PREPOSITION[state.uf] ?? 'do'} ${state.name}`;
}
