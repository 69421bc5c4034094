/**
 * The rules an adhesion request is checked against, without I/O: the tenant address (slug) and names.
 * CPF and CNPJ are checked by server/brazil/documents.ts.
 */

/** Lower case, no accents, collapsed spaces: for comparing and searching names. */
export function foldName(input: string): string {
  return input
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

export { RESERVED_SLUGS, slugProblem } from '../tenancy/slugs';

/** "Angra dos Reis" → "angra-dos-reis"; "São João d'Aliança" → "sao-joao-daliança" without accents. */
export function suggestSlug(name: string): string {
  return foldName(name)
    .replace(/['’`]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
}

/** Initials of the significant words: "Prefeitura Municipal de Angra dos Reis" → "PMAR". */
export function suggestAcronym(name: string): string {
  const small = new Set(['de', 'da', 'do', 'das', 'dos', 'e']);
  return foldName(name)
    .split(/[^a-z0-9]+/)
    .filter((w) => w && !small.has(w))
    .map((w) => w[0].toUpperCase())
    .join('')
    .slice(0, 12);
}
