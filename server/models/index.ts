import type { Sequelize } from 'sequelize';
import { initAdhesionModels } from './adhesion';
import { initCatalogModels } from './catalogs';
import { initDocumentModels } from './documents';
import { initOrganisationModels } from './organisation';
import { initPeopleModels } from './people';
import { initPlatformModels } from './platform';
import { initProcessModels } from './processes';
import { initProtocolModels } from './protocol';

export * from './adhesion';
export * from './catalogs';
export * from './documents';
export * from './organisation';
export * from './people';
export * from './platform';
export * from './processes';
export * from './protocol';

let initialised: Sequelize | undefined;

/** Platform models first, then each feature's tenant models. */
export function initModels(sequelize: Sequelize): void {
  if (initialised === sequelize) return;
  initPlatformModels(sequelize);
  initAdhesionModels(sequelize);
  initOrganisationModels(sequelize);
  initCatalogModels(sequelize);
  initPeopleModels(sequelize);
  initProcessModels(sequelize);
  initDocumentModels(sequelize);
  initProtocolModels(sequelize);
  initialised = sequelize;
}
