/**
 * How Brazilian identifiers and contact numbers are written for people: the one formatter behind
 * every view (helpers `formatCpf`, `formatCnpj`, `formatCpfCnpj`, `formatPhone`, `formatCep`) and
 * every document template placeholder. Values are stored bare (digits, or the alphanumeric CNPJ);
 * anything that is not of the expected length is shown as given. public/masks.js writes the same
 * shapes as users type.
 */

function bare(value: unknown): string {
  return value === null || value === undefined ? '' : String(value).replace(/[\s.\-/()]/g, '').toUpperCase();
}

/** "52998224725" → "529.982.247-25". */
export function formatCpf(value: unknown): string {
  const v = bare(value);
  return /^\d{11}$/.test(v) ? `${v.slice(0, 3)}.${v.slice(3, 6)}.${v.slice(6, 9)}-${v.slice(9)}` : String(value ?? '');
}

/** "11222333000181" → "11.222.333/0001-81"; the alphanumeric CNPJ of July 2026 too ("12.ABC.345/01DE-35"). */
export function formatCnpj(value: unknown): string {
  const v = bare(value);
  return /^[0-9A-Z]{12}\d{2}$/.test(v) ? `${v.slice(0, 2)}.${v.slice(2, 5)}.${v.slice(5, 8)}/${v.slice(8, 12)}-${v.slice(12)}` : String(value ?? '');
}

/** A CPF (11 digits) or a CNPJ (14 characters), whichever it is. */
export function formatCpfCnpj(value: unknown): string {
  const v = bare(value);
  return v.length === 11 ? formatCpf(v) : v.length === 14 ? formatCnpj(v) : String(value ?? '');
}

/** "2433770000" → "(24) 3377-0000"; "24999887766" → "(24) 99988-7766". */
export function formatPhone(value: unknown): string {
  const v = bare(value).replace(/^\+?55(?=\d{10,11}$)/, '');
  if (/^\d{10}$/.test(v)) return `(${v.slice(0, 2)}) ${v.slice(2, 6)}-${v.slice(6)}`;
  if (/^\d{11}$/.test(v)) return `(${v.slice(0, 2)}) ${v.slice(2, 7)}-${v.slice(7)}`;
  return String(value ?? '');
}

/** "23970000" → "23970-000". */
export function formatCep(value: unknown): string {
  const v = bare(value);
  return /^\d{8}$/.test(v) ? `${v.slice(0, 5)}-${v.slice(5)}` : String(value ?? '');
}
