import path from 'node:path';
import type { Express } from 'express';
import { engine } from 'express-handlebars';
import { helpers } from '../helpers';

const views = path.resolve(__dirname, '..', '..', 'views');

/** Handlebars with a layout per host (`platform`, `tenant`), shared partials, one helper per file. */
export default function setUpViews(app: Express, production: boolean): void {
  app.engine(
    'hbs',
    engine({
      extname: '.hbs',
      defaultLayout: 'platform',
      layoutsDir: path.join(views, 'layouts'),
      partialsDir: path.join(views, 'partials'),
      helpers,
    }),
  );
  app.set('view engine', 'hbs');
  app.set('views', views);
  app.set('view cache', production);
}
