import { createNamespace } from 'cls-hooked';
import { Sequelize } from 'sequelize';

/**
 * The one continuation-local namespace of the process. It carries the current tenant and, through
 * Sequelize's CLS support, the current transaction, across every async call of a request.
 */
export const namespace = createNamespace('pen-nuvem');
Sequelize.useCLS(namespace);
