/** A database id as it may come from a URL or a form: digits only, within BIGINT range (no overflow errors). */
export const ID_PATTERN = /^[1-9][0-9]{0,17}$/;

export function isId(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value);
}
