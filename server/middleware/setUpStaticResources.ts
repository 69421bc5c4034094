import path from 'node:path';
import express, { Router } from 'express';

const root = path.resolve(__dirname, '..', '..');
const modules = path.join(root, 'node_modules');

/** The gov.br design system, its fonts and icons, self-hosted (no CDN), and our own assets. */
export default function setUpStaticResources(production: boolean): Router {
  const router = Router();
  const options = { maxAge: production ? '7d' : 0, index: false, fallthrough: false };
  router.use('/static/govbr', express.static(path.join(modules, '@govbr-ds', 'core', 'dist'), options));
  router.use('/static/raleway', express.static(path.join(modules, '@fontsource', 'raleway'), options));
  router.use('/static/fontawesome', express.static(path.join(modules, '@fortawesome', 'fontawesome-free'), options));
  router.use('/static/quill', express.static(path.join(modules, 'quill', 'dist'), options));
  router.use('/static/app', express.static(path.join(root, 'public'), options));
  return router;
}
