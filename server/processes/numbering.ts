/**
 * Process numbers (Portaria Interministerial nº 11/2019 and the NIPE of the PEN):
 * - NUP  `UUUUU.SSSSSS/AAAA-DD` (17 digits): protocol code, sequence, year, two check digits;
 * - NIPE `UF.OOOUUU.SSSSSS/AAAA-DD` (20 digits): IBGE state code, organ + unit, sequence, year, DVs.
 * Both check digits are modulo 11: weights n+1…2 over the n preceding digits, r = 11 − (sum mod 11),
 * r = 10 → 0, r = 11 → 1.
 */

export type NumberFormat = 'nup' | 'nipe';

export function checkDigit(digits: string): string {
  let sum = 0;
  const n = digits.length;
  for (let i = 0; i < n; i += 1) sum += Number(digits[i]) * (n + 1 - i);
  const r = 11 - (sum % 11);
  return String(r === 10 ? 0 : r === 11 ? 1 : r);
}

/** Both check digits of a number body (15 digits for NUP, 18 for NIPE). */
export function checkDigits(body: string): string {
  const dv1 = checkDigit(body);
  return dv1 + checkDigit(body + dv1);
}

export function formatDigits(digits: string): string {
  if (/^[0-9]{17}$/.test(digits)) {
    return `${digits.slice(0, 5)}.${digits.slice(5, 11)}/${digits.slice(11, 15)}-${digits.slice(15)}`;
  }
  if (/^[0-9]{20}$/.test(digits)) {
    return `${digits.slice(0, 2)}.${digits.slice(2, 8)}.${digits.slice(8, 14)}/${digits.slice(14, 18)}-${digits.slice(18)}`;
  }
  throw new Error(`Número de processo sem 17 nem 20 dígitos: ${digits}`);
}

export interface NumberParts {
  format: NumberFormat;
  /** The protocol code (NUP, 5 digits) or UF + organ + unit (NIPE, 8 digits). */
  code: string;
  sequence: number;
  year: number;
}

/** Builds the number (digits and display) of a generated process. */
export function buildNumber(parts: NumberParts): { digits: string; formatted: string } {
  const codeLength = parts.format === 'nup' ? 5 : 8;
  if (!new RegExp(`^[0-9]{${codeLength}}$`).test(parts.code)) throw new Error(`Código de numeração inválido: ${parts.code}`);
  if (!Number.isInteger(parts.sequence) || parts.sequence < 1 || parts.sequence > 999_999) {
    throw new Error(`Sequencial fora do intervalo: ${parts.sequence}`);
  }
  const body = `${parts.code}${String(parts.sequence).padStart(6, '0')}${String(parts.year).padStart(4, '0')}`;
  const digits = body + checkDigits(body);
  return { digits, formatted: formatDigits(digits) };
}

const NUP_PATTERN = /^([0-9]{5})\.([0-9]{6})\/([0-9]{4})-([0-9]{2})$/;
const NIPE_PATTERN = /^([0-9]{2})\.([0-9]{6})\.([0-9]{6})\/([0-9]{4})-([0-9]{2})$/;

export type ParsedNumber =
  | { ok: true; format: NumberFormat; digits: string; formatted: string; year: number }
  | { ok: false; message: string };

/**
 * Validates an informed number: the NUP or NIPE mask (or just its digits), a plausible year,
 * a non-zero sequence and both check digits.
 */
export function parseInformedNumber(input: string, maxYear: number): ParsedNumber {
  const text = input.trim();
  let digits: string;
  if (NUP_PATTERN.test(text) || NIPE_PATTERN.test(text)) digits = text.replace(/[^0-9]/g, '');
  else if (/^[0-9]{17}$|^[0-9]{20}$/.test(text)) digits = text;
  else {
    return { ok: false, message: 'Informe o número no formato NUP (00000.000000/0000-00) ou NIPE (00.000000.000000/0000-00).' };
  }
  const format: NumberFormat = digits.length === 17 ? 'nup' : 'nipe';
  const body = digits.slice(0, -2);
  const year = Number(body.slice(-4));
  const sequence = Number(body.slice(-10, -4));
  if (year < 1900 || year > maxYear) return { ok: false, message: `O ano do número deve estar entre 1900 e ${maxYear}.` };
  if (sequence === 0) return { ok: false, message: 'O sequencial do número não pode ser 000000.' };
  if (checkDigits(body) !== digits.slice(-2)) return { ok: false, message: 'Os dígitos verificadores do número não conferem.' };
  return { ok: true, format, digits, formatted: formatDigits(digits), year };
}

/** The calendar year in America/Sao_Paulo at `at` (numbering restarts on 1 January there). */
export function numberingYear(at: Date = new Date()): number {
  return Number(new Intl.DateTimeFormat('en-US', { timeZone: 'America/Sao_Paulo', year: 'numeric' }).format(at));
}
