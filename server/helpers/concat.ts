/** `{{concat "unitId" index}}` → "unitId0" (Handlebars passes its options object last). */
export default function concat(...parts: unknown[]): string {
  return parts.slice(0, -1).map(String).join('');
}
