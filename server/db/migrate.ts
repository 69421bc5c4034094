import type { Sequelize } from 'sequelize';
import type { Config } from '../config';
import { logger } from '../logger';
import { runMigrations, type RunReport } from './migrator';
import { migrationProgress } from './progress';

/** Runs the migration runner with progress output and logs its report. */
export async function migrateAll(sequelize: Sequelize, config: Config): Promise<RunReport> {
  const progress = migrationProgress();
  try {
    const report = await runMigrations(sequelize, { concurrency: config.MIGRATION_CONCURRENCY, onProgress: progress.onProgress });
    progress.stop();
    logger.info(
      {
        tenants: report.tenants,
        upToDate: report.upToDate,
        migrated: report.migrated.length,
        failed: report.failed.map((f) => ({ slug: f.slug, error: f.error })),
        seconds: +(report.totalMs / 1000).toFixed(2),
      },
      report.failed.length ? 'migrações concluídas com falhas' : 'migrações concluídas',
    );
    return report;
  } finally {
    progress.stop();
  }
}
