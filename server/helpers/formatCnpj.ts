import { formatCnpj as format } from '../formatting';

/** `{{formatCnpj value}}`: "11222333000181" → "11.222.333/0001-81" (server/formatting.ts). */
export default function formatCnpj(value: unknown): string {
  return format(value);
}
