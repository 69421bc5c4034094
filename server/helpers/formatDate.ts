/** `{{formatDate "2026-11-26"}}` → "26/11/2026": a calendar date (no time, no time zone shift). */
export default function formatDate(value: unknown): string {
  if (typeof value !== 'string') return '';
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  return m ? `${m[3]}/${m[2]}/${m[1]}` : '';
}
