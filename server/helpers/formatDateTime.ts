const formatter = new Intl.DateTimeFormat('pt-BR', {
  timeZone: 'America/Sao_Paulo',
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

/**
 * Minutes already formatted. Formatting in a time zone costs microseconds per call, and a process
 * page prints tens of dates, the same ones on every view; the text depends only on the minute.
 */
const byMinute = new Map<number, string>();
const BY_MINUTE_MAX = 20_000;

/** `{{formatDateTime date}}` → "26/11/2026 14:05", in Brasília time. */
export default function formatDateTime(value: unknown): string {
  if (!(value instanceof Date) && typeof value !== 'string') return '';
  const ms = value instanceof Date ? value.getTime() : new Date(value).getTime();
  if (Number.isNaN(ms)) return '';
  const minute = Math.floor(ms / 60_000);
  let text = byMinute.get(minute);
  if (text === undefined) {
    text = formatter.format(minute * 60_000).replace(',', '');
    if (byMinute.size >= BY_MINUTE_MAX) byMinute.clear();
    byMinute.set(minute, text);
  }
  return text;
}
