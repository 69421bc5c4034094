import fs from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';

const EMAILS_DIR = path.resolve(__dirname, '..', '..', 'views', 'emails');
const compiled = new Map<string, HandlebarsTemplateDelegate>();

function template(file: string): HandlebarsTemplateDelegate {
  let t = compiled.get(file);
  if (!t) {
    // Plain-text parts are not HTML: no escaping there.
    t = Handlebars.compile(fs.readFileSync(path.join(EMAILS_DIR, file), 'utf8'), { strict: true, noEscape: file.endsWith('.text.hbs') });
    compiled.set(file, t);
  }
  return t;
}

export interface RenderedMail {
  html: string;
  text: string;
}

/** Renders `views/emails/<name>.html.hbs` (inside `layout.html.hbs`) and `<name>.text.hbs`. */
export function renderMail(name: string, data: Record<string, unknown>): RenderedMail {
  if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`Modelo de e-mail inválido: ${name}`);
  const body = template(`${name}.html.hbs`)(data);
  const html = template('layout.html.hbs')({ ...data, body: new Handlebars.SafeString(body) });
  const text = template(`${name}.text.hbs`)(data);
  return { html, text };
}
