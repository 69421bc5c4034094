/** `{{#if (gt a b)}}` — numeric comparison. */
export default function gt(a: unknown, b: unknown): boolean {
  return Number(a) > Number(b);
}
