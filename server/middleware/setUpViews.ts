import path from 'node:path';
import type { Express } from 'express';
import { ExpressHandlebars } from 'express-handlebars';
import { helpers } from '../helpers';

const views = path.resolve(__dirname, '..', '..', 'views');

/**
 * express-handlebars, made cheaper per page:
 * - the indentation of template source lines is dropped when a template is compiled (a quarter of
 *   a long list's HTML was indentation). Only the templates' own text changes: values are
 *   rendered as given, and no template has multi-line literal text inside `<pre>` or `<textarea>`;
 * - with the view cache on (production), the partials are gathered once, not on every render
 *   (express-handlebars re-lists and re-awaits every partial for each page).
 */
export class PageEngine extends ExpressHandlebars {
  private partialsOnce?: ReturnType<ExpressHandlebars['getPartials']>;

  override _compileTemplate(template: string, options?: CompileOptions): HandlebarsTemplateDelegate {
    return super._compileTemplate(template.replace(/\n[ \t]+/g, '\n'), options);
  }

  override getPartials(options: { cache?: boolean; encoding?: BufferEncoding } = {}): ReturnType<ExpressHandlebars['getPartials']> {
    if (!options.cache) return super.getPartials(options);
    this.partialsOnce ??= super.getPartials(options).catch((err: unknown) => {
      this.partialsOnce = undefined;
      throw err;
    });
    return this.partialsOnce;
  }
}

/** Handlebars with a layout per host (`platform`, `tenant`), shared partials, one helper per file. */
export default function setUpViews(app: Express, production: boolean): void {
  const engine = new PageEngine({
    extname: '.hbs',
    defaultLayout: 'platform',
    layoutsDir: path.join(views, 'layouts'),
    partialsDir: path.join(views, 'partials'),
    helpers,
  });
  app.engine('hbs', engine.engine);
  app.set('view engine', 'hbs');
  app.set('views', views);
  app.set('view cache', production);
}
