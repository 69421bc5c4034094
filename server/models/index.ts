import type { Sequelize } from 'sequelize';
import { initPlatformModels } from './platform';
import { initTenantModels } from './tenant';

export * from './platform';
export * from './tenant';

let initialised: Sequelize | undefined;

export function initModels(sequelize: Sequelize): void {
  if (initialised === sequelize) return;
  initPlatformModels(sequelize);
  initTenantModels(sequelize);
  initialised = sequelize;
}
