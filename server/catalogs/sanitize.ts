import sanitizeHtml from 'sanitize-html';

/**
 * Document templates are rich text written by administrators and later shown to every user: only
 * an allow-list of structural tags survives, links only to http(s), and nothing that runs, styles
 * or loads anything (no script, no event handlers, no style, no images or other external resources).
 * Placeholders such as {{unidade}}, {{data}}, {{processo}} are plain text and pass through.
 */
const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'br', 'strong', 'em', 'u', 'ol', 'ul', 'li', 'h2', 'h3', 'h4', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'a'],
  allowedAttributes: { a: ['href'], th: ['colspan', 'rowspan', 'scope'], td: ['colspan', 'rowspan'] },
  allowedSchemes: ['http', 'https'],
  allowedSchemesAppliedToAttributes: ['href'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'iframe', 'object', 'embed', 'svg', 'math'],
  transformTags: { b: 'strong', i: 'em', h1: 'h2' },
};

export function sanitizeTemplate(html: string): string {
  return sanitizeHtml(html, OPTIONS).trim();
}

/** Placeholders a template may use, shown to administrators. */
export const TEMPLATE_PLACEHOLDERS = ['{{unidade}}', '{{sigla}}', '{{data}}', '{{processo}}', '{{especificacao}}', '{{interessados}}', '{{cidade}}', '{{cargo}}', '{{destino}}'];
