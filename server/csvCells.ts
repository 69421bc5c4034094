/**
 * Spreadsheet formula injection (OWASP "CSV Injection"): a cell that begins with `=`, `+`, `-`, `@`,
 * a tab or a carriage return is run as a formula when a clerk opens the file in a spreadsheet. Every
 * CSV the app writes passes its cells through `neutraliseCell`, which prefixes such a cell with a
 * single quote; every CSV it reads passes them through `restoreCell`, which removes exactly that
 * quote, so export → import is lossless. A value that itself begins with a quote followed by one of
 * those characters (or another quote) is quoted too, so the round trip holds for every string.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const GUARDED = /^'[=+\-@\t\r']/;

export function neutraliseCell(value: string): string {
  return FORMULA_START.test(value) || GUARDED.test(value) ? `'${value}` : value;
}

export function restoreCell(value: string): string {
  return GUARDED.test(value) ? value.slice(1) : value;
}
