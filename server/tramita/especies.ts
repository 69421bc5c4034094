import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';

/**
 * The national list of espécies documentais (data/especies-documentais.csv, from the PEN's module:
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
