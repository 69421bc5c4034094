const LABELS: Record<string, string> = { draft: 'Minuta', signed: 'Assinado', external: 'Externo', cancelled: 'Cancelado' };

/** `{{documentStateLabel state}}` → what the document tree says of a document's state. */
export default function documentStateLabel(state: unknown): string {
  return LABELS[String(state)] ?? String(state);
}
