// The DataSource for the TypeORM CLI: `npm run typeorm -- migration:run` (or `migration:show`).
// It reads DATABASE_URL like the service does.
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from './src/config/app-config';
import { buildDataSourceOptions } from './src/database/data-source-options';

export default new DataSource(buildDataSourceOptions(loadConfig().database));
