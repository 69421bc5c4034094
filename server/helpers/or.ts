/** `{{#if (or a b)}}`: true when any argument is (Handlebars passes its options object last). */
export default function or(...args: unknown[]): boolean {
  return args.slice(0, -1).some(Boolean);
}
