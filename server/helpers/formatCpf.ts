import { formatCpf as format } from '../formatting';

/** `{{formatCpf value}}`: "52998224725" → "529.982.247-25" (server/formatting.ts). */
export default function formatCpf(value: unknown): string {
  return format(value);
}
