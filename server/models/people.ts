import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';
import { failClosed, id } from './tenant-base';

/** Cargos/funções: the titles a user signs under. Deactivated, never deleted. */
export class UserPosition extends Model<InferAttributes<UserPosition>, InferCreationAttributes<UserPosition>> {
  declare id: CreationOptional<string>;
  declare userId: string;
  declare title: string;
  declare active: CreationOptional<boolean>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export function initPeopleModels(sequelize: Sequelize): void {
  UserPosition.init(
    {
      id,
      userId: { type: DataTypes.BIGINT, allowNull: false },
      title: { type: DataTypes.TEXT, allowNull: false },
      active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
      createdAt: DataTypes.DATE,
      updatedAt: DataTypes.DATE,
    },
    { sequelize, tableName: 'user_positions' },
  );
  failClosed(UserPosition);
}
