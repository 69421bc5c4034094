const formatter = new Intl.DateTimeFormat('pt-BR', {
  timeZone: 'America/Sao_Paulo',
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

/** `{{formatDateTime date}}` → "26/11/2026 14:05", in Brasília time. */
export default function formatDateTime(value: unknown): string {
  if (!(value instanceof Date) && typeof value !== 'string') return '';
  const d = value instanceof Date ? value : new Date(value);
  return Number.isNaN(d.getTime()) ? '' : formatter.format(d).replace(',', '');
}
