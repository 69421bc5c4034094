const formatter = new Intl.NumberFormat('pt-BR');

/** `{{formatNumber n}}` → "5.570" */
export default function formatNumber(value: unknown): string {
  const n = Number(value);
  return Number.isFinite(n) ? formatter.format(n) : '';
}
