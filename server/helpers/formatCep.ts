import { formatCep as format } from '../formatting';

/** `{{formatCep value}}`: "23970000" → "23970-000" (server/formatting.ts). */
export default function formatCep(value: unknown): string {
  return format(value);
}
