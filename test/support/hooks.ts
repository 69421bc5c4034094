import { startTestEnvironment, stopTestEnvironment } from './environment';

/** Mocha root hooks: one database for the whole run. */
export const mochaHooks = {
  async beforeAll(this: Mocha.Context): Promise<void> {
    this.timeout(120_000);
    await startTestEnvironment();
  },
  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(60_000);
    await stopTestEnvironment();
  },
};
