/** `{{encodeUriComponent next}}` — a value put inside a URL's query string. */
export default function encodeUriComponent(value: unknown): string {
  return encodeURIComponent(typeof value === 'string' ? value : '');
}
