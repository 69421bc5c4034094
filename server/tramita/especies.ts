import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';

/**
 * The national lists Tramita maps to: espécies documentais and hipóteses legais.
 *
 * The espécies documentais (data/especies-documentais.csv, from the PEN's module:
 * see data/README.md). Code 999 "Outra" is the PEN's default espécie for sending.
 */
export const OTHER_ESPECIE = 999;

let cached: Map<number, string> | null = null;

export function especies(): Map<number, string> {
  if (!cached) {
    const rows = parse(fs.readFileSync(path.join(__dirname, '..', '..', 'data', 'especies-documentais.csv')), { columns: true, skip_empty_lines: true }) as { code: string; name: string }[];
    cached = new Map(rows.map((r) => [Number(r.code), r.name]));
  }
  return cached;
}

export function especieName(code: number): string | null {
  return especies().get(code) ?? null;
}

let hipoteses: string[] | null = null;

/** The national list of hipóteses legais (data/hipoteses-legais.csv), in its order. */
export function hipotesesLegais(): string[] {
  if (!hipoteses) {
    const rows = parse(fs.readFileSync(path.join(__dirname, '..', '..', 'data', 'hipoteses-legais.csv')), { columns: true, skip_empty_lines: true }) as { name: string }[];
    hipoteses = rows.map((r) => r.name);
  }
  return hipoteses;
}

const plain = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().trim();

/** A hipótese's short name: what stands before its legal reference ("Informação Pessoal (Art. 31 …)" → "Informação Pessoal"). */
export function hipoteseShortName(hipotese: string): string {
  return hipotese.split(' (')[0];
}

/** The national hipótese a local legal basis corresponds to by name (the same words, accents and case aside), if any. */
export function hipoteseNamed(localName: string): string | null {
  const wanted = plain(localName);
  return hipotesesLegais().find((h) => plain(h) === wanted || plain(hipoteseShortName(h)) === wanted) ?? null;
}
