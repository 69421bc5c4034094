/**
 * The Brazilian documents of people and organisations, in one place: CPF and CNPJ (numeric and the
 * alphanumeric format the Receita Federal issues from July 2026), without I/O. Every form, the CLI
 * and gov.br's claims check them here; `server/formatting.ts` prints them.
 */

/** Strips the mask (dots, dashes, slash, spaces) and upper-cases; '' stays ''. "12.ABC.345/01DE-35" → "12ABC34501DE35". */
export function normaliseDocument(input: string): string {
  return input.replace(/[\s./-]/g, '').toUpperCase();
}

/** A CNPJ's normal form is any document's. */
export const normaliseCnpj = normaliseDocument;

function cnpjCheckDigit(chars: string): number {
  // Weights run 2..9 from the right, then wrap around.
  let sum = 0;
  for (let i = 0; i < chars.length; i++) {
    const weight = ((chars.length - 1 - i) % 8) + 2;
    sum += (chars.charCodeAt(i) - 48) * weight;
  }
  const r = sum % 11;
  return r < 2 ? 0 : 11 - r;
}

/**
 * A CNPJ is 12 characters [0-9A-Z] and 2 numeric check digits (mod 11, each character worth its
 * ASCII code minus 48). The numeric CNPJ is the same rule with digits only. Takes a normalised value.
 */
export function isValidCnpj(cnpj: string): boolean {
  if (!/^[0-9A-Z]{12}[0-9]{2}$/.test(cnpj)) return false;
  if (/^(\d)\1{13}$/.test(cnpj)) return false;
  const base = cnpj.slice(0, 12);
  const dv1 = cnpjCheckDigit(base);
  const dv2 = cnpjCheckDigit(base + String(dv1));
  return cnpj.endsWith(`${dv1}${dv2}`);
}

/** Strips a CPF's mask (dots, dash, spaces): "529.982.247-25" → "52998224725". */
export function stripCpfMask(input: string): string {
  return input.replace(/[\s.-]/g, '');
}

/** Eleven digits, two mod-11 check digits, not all the same digit. Takes a normalised value. */
export function isValidCpf(cpf: string): boolean {
  if (!/^\d{11}$/.test(cpf) || /^(\d)\1{10}$/.test(cpf)) return false;
  const digit = (len: number): number => {
    let sum = 0;
    for (let i = 0; i < len; i++) sum += Number(cpf[i]) * (len + 1 - i);
    const r = (sum * 10) % 11;
    return r === 10 ? 0 : r;
  };
  return digit(9) === Number(cpf[9]) && digit(10) === Number(cpf[10]);
}

/** A CPF, masked or not: its 11 digits when its check digits hold, otherwise null. */
export function normaliseCpf(input: string): string | null {
  const digits = stripCpfMask(input);
  return isValidCpf(digits) ? digits : null;
}
