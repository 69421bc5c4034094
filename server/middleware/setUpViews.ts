import fs from 'node:fs/promises';
import path from 'node:path';
import type { Express } from 'express';
import { ExpressHandlebars } from 'express-handlebars';
import Handlebars from 'handlebars';
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
  /** With the view cache on: a Handlebars of its own holding the helpers and partials, and the compiled views by path. */
  private cached?: Promise<{ env: typeof Handlebars; views: Map<string, Promise<HandlebarsTemplateDelegate>> }>;

  override _compileTemplate(template: string, options?: CompileOptions): HandlebarsTemplateDelegate {
    return super._compileTemplate(template.replace(/\n[ \t]+/g, '\n'), options);
  }

  /**
   * The engine express calls. With the view cache on, a page is its view then its layout, rendered
   * straight from compiled templates: express-handlebars would otherwise copy every helper and
   * partial into new objects three times per page and await five promises (about a third of a
   * page's rendering time). Same templates, helpers and partials, same output (`@exphbs` data, which
   * no view reads, is not set). Otherwise (development: templates re-read) express-handlebars renders.
   */
  page(viewPath: string, options: object, callback: (err: Error | null, html?: string) => void): void {
    const opts = options as { cache?: boolean; layout?: string | false; helpers?: unknown; partials?: unknown; data?: unknown };
    if (!opts.cache || opts.helpers || opts.partials || opts.data) {
      void this.renderView(viewPath, options as never, callback as never);
      return;
    }
    this.cachedRender(viewPath, opts).then(
      (html) => callback(null, html),
      (err: unknown) => callback(err as Error),
    );
  }

  private async cachedRender(viewPath: string, context: { layout?: string | false }): Promise<string> {
    const { env, views } = await (this.cached ??= this.cachedEnvironment().catch((err: unknown) => {
      this.cached = undefined;
      throw err;
    }));
    const compiled = (file: string): Promise<HandlebarsTemplateDelegate> => {
      let t = views.get(file);
      if (!t) {
        t = fs.readFile(file, this.encoding ?? 'utf8').then((text) => env.compile(text.replace(/\n[ \t]+/g, '\n').trim(), this.compilerOptions));
        t.catch(() => views.delete(file));
        views.set(file, t);
      }
      return t;
    };
    const view = await compiled(path.resolve(viewPath));
    const body = view(context).trim();
    // As express-handlebars resolves a layout: by name in the layouts folder, the extension optional.
    const layout = 'layout' in context ? context.layout : this.defaultLayout;
    if (!layout) return body;
    const layoutPath = path.resolve(this.layoutsDir ?? '', path.extname(layout) ? layout : `${layout}${this.extname}`);
    return (await compiled(layoutPath))({ ...context, body }).trim();
  }

  private async cachedEnvironment(): Promise<{ env: typeof Handlebars; views: Map<string, Promise<HandlebarsTemplateDelegate>> }> {
    const env = Handlebars.create();
    env.registerHelper(this.helpers as Handlebars.HelperDeclareSpec);
    const partials = await this.getPartials({ cache: true, encoding: this.encoding });
    env.registerPartial(partials as { [name: string]: HandlebarsTemplateDelegate });
    return { env, views: new Map() };
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
  app.engine('hbs', (viewPath, options, callback) => engine.page(viewPath, options, callback));
  app.set('view engine', 'hbs');
  app.set('views', views);
  app.set('view cache', production);
}
