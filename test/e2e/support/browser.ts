import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect } from 'chai';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createHttpServer } from '../../../server/web/httpServer';
import { testEnv } from '../../support/environment';
import { TEST_PASSWORD } from '../../support/tenants';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const COVERAGE_FILE = path.resolve(__dirname, '..', '..', '..', 'var', 'a11y-covered.txt');

/**
 * A real server (the test app on a free port) and a real headless Chromium. Hosts are
 * `<slug>.localhost`, which Chromium resolves to loopback by itself.
 */
export class BrowserHarness {
  browser!: Browser;
  private server!: http.Server;
  port = 0;

  /** `port`: a fixed one, when the app must know its own URL (the gov.br redirect URI); 0 picks a free one. */
  async start(app = testEnv().app, port = 0): Promise<void> {
    if (!fs.existsSync(CHROMIUM)) {
      throw new Error(`Chromium não encontrado em ${CHROMIUM}: instale com "apt-get install -y chromium" (ou defina CHROMIUM_PATH).`);
    }
    this.server = createHttpServer(app, testEnv().config);
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    this.browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-dev-shm-usage',
      ],
    });
  }

  url(host: string, pathname = '/'): string {
    return `http://${host}:${this.port}${pathname}`;
  }

  /** The one logged-in set-up of a journey: the login form filled with the mouse, then the home page of `host`. */
  async logIn(page: Page, host: string, email: string, password = TEST_PASSWORD): Promise<void> {
    await page.goto(this.url(host, '/login'));
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Senha').fill(password);
    await page.getByRole('button', { name: 'Entrar' }).click();
    await page.waitForURL(this.url(host, '/'));
  }

  /**
   * A fresh context whose pages record every uncaught script error and console error: any of them
   * fails the test at its next `expectAccessible` (every page a test visits) or when the test ends.
   */
  async newContext(): Promise<BrowserContext> {
    const context = await this.browser.newContext({ locale: 'pt-BR', timezoneId: 'America/Sao_Paulo', viewport: { width: 1280, height: 900 } });
    watchPageErrors(context);
    return context;
  }

  async stop(): Promise<void> {
    await this.browser?.close();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/**
 * The per-test browser of an e2e suite, registered as its beforeEach/afterEach: a fresh context and
 * page for every test, handed to `use`; after a failed test, a full-page screenshot of the page last
 * opened, in the temp folder (`<name>-e2e-<time>.png`); then the context is closed, which fails the
 * test on any script or console error its pages recorded (`watchPageErrors`).
 */
export function pagePerTest(harness: BrowserHarness, name: string, use: (page: Page, context: BrowserContext) => void, opts: { timeout?: number } = {}): void {
  let current: BrowserContext | undefined;
  beforeEach(async () => {
    current = await harness.newContext();
    const page = await current.newPage();
    if (opts.timeout) page.setDefaultTimeout(opts.timeout);
    use(page, current);
  });
  afterEach(async function () {
    const context = current;
    current = undefined;
    if (!context) return;
    const last = context.pages().at(-1);
    if (this.currentTest?.state === 'failed' && last) await last.screenshot({ path: path.join(os.tmpdir(), `${name}-e2e-${Date.now()}.png`), fullPage: true }).catch(() => undefined);
    await context.close();
  });
}

const pageErrors = new WeakMap<BrowserContext, string[]>();

/** Records uncaught errors (`pageerror`) and console errors of every page of the context. */
export function watchPageErrors(context: BrowserContext): void {
  const errors: string[] = [];
  pageErrors.set(context, errors);
  // Our pages are served on localhost and its subdomains; a third party's page a journey passes
  // through (the OpenID provider standing in for gov.br, on 127.0.0.1) is not ours to check.
  const ours = (page: Page): boolean => {
    try {
      const { protocol, hostname } = new URL(page.url());
      if (protocol !== 'http:' && protocol !== 'https:') return true; // about:blank, setContent
      return hostname === 'localhost' || hostname.endsWith('.localhost');
    } catch {
      return true;
    }
  };
  const watch = (page: Page): void => {
    page.on('pageerror', (error) => {
      if (ours(page)) errors.push(`erro de script em ${page.url()}: ${error.stack ?? error.message}`);
    });
    page.on('console', (message) => {
      if (message.type() !== 'error' || !ours(page)) return;
      // The status of the page itself (a 404 or 422 page a test asks for) is the test's to check;
      // a script, style, image or request of the page that fails is an error.
      const ownStatus = message.text().startsWith('Failed to load resource') && message.location().url === page.url();
      if (!ownStatus) errors.push(`erro no console em ${page.url()}: ${message.text()} (${message.location().url})`);
    });
  };
  context.pages().forEach(watch);
  context.on('page', watch);
  const close = context.close.bind(context);
  context.close = async (options) => {
    const found = errors.splice(0);
    await close(options);
    expect(found, `Erros no navegador:\n${found.join('\n')}`).to.have.length(0);
  };
}

/** Fails when a page of the context raised an uncaught error or logged a console error. */
export function expectNoPageErrors(page: Page): void {
  const errors = pageErrors.get(page.context());
  const found = errors ? errors.splice(0) : [];
  expect(found, `Erros no navegador:\n${found.join('\n')}`).to.have.length(0);
}

/**
 * Runs axe-core (WCAG 2.0/2.1/2.2, A and AA) on the page as it is now and fails on any violation.
 * Every page checked is recorded in var/a11y-covered.txt (see `npm run a11y:coverage`).
 */
export async function expectAccessible(page: Page, label?: string): Promise<void> {
  expectNoPageErrors(page);
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'])
    .analyze();
  const where = new URL(page.url());
  fs.mkdirSync(path.dirname(COVERAGE_FILE), { recursive: true });
  fs.appendFileSync(COVERAGE_FILE, `${where.hostname.split('.').length > 1 ? 'tenant' : 'platform'}\t${where.pathname}\t${label ?? (await page.title())}\n`);
  const report = results.violations
    .map((v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.map((n) => n.target.join(' ')).join('\n  ')}`)
    .join('\n');
  expect(results.violations, `Violações de acessibilidade em ${page.url()}:\n${report}`).to.have.length(0);
  expectNoPageErrors(page);
}
