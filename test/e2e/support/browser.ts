import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect } from 'chai';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { testEnv } from '../../support/environment';

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
    this.server = http.createServer(app);
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

  async newContext(): Promise<BrowserContext> {
    return this.browser.newContext({ locale: 'pt-BR', timezoneId: 'America/Sao_Paulo', viewport: { width: 1280, height: 900 } });
  }

  async stop(): Promise<void> {
    await this.browser?.close();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/**
 * Runs axe-core (WCAG 2.0/2.1/2.2, A and AA) on the page as it is now and fails on any violation.
 * Every page checked is recorded in var/a11y-covered.txt (see `npm run a11y:coverage`).
 */
export async function expectAccessible(page: Page, label?: string): Promise<void> {
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
}
