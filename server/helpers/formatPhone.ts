import { formatPhone as format } from '../formatting';

/** `{{formatPhone value}}`: "2433770000" → "(24) 3377-0000" (server/formatting.ts). */
export default function formatPhone(value: unknown): string {
  return format(value);
}
