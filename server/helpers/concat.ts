/** `{{concat "unit-" i "-name"}}` → "unit-0-name" (the last argument is Handlebars' options). */
export default function concat(...args: unknown[]): string {
  return args.slice(0, -1).map((a) => String(a ?? '')).join('');
}
