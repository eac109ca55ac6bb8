/**
 * Migrations listed in code rather than discovered on disk, so they run the same under tsx,
 * compiled output and the test runner. Append new ones; never edit one that has shipped.
 */
import type { Knex } from 'knex';
import * as m001 from './001_foundation';
import * as m002 from './002_catalogue';
import * as m003 from './003_calendar';
import * as m004 from './004_case_lifecycle';
import * as m005 from './005_supervision';
import * as m006 from './006_callbacks';
import * as m007 from './007_access';
import * as m008 from './008_adapters_in_case';
import * as m009 from './009_engine_never_stalls';
import * as m010 from './010_security';
import * as m011 from './011_reconciliation_signals';
import * as m012 from './012_daily_rollups';
import * as m013 from './013_material_checklist';
import * as m014 from './014_desk_and_documents';
import * as m015 from './015_sign_in_limits';
import * as m016 from './016_second_engine';
import * as m017 from './017_service_hall';
import * as m018 from './018_data_outwards';
import * as m019 from './019_simulated_approval';
import * as m020 from './020_case_view_version';
import * as m021 from './021_supervision_sweep';
import * as m022 from './022_step_clocks';
import * as m023 from './023_sweep_backoff';
import * as m024 from './024_case_view_notify';
import * as m025 from './025_live_view';

interface Migration {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

const migrations: Record<string, Migration> = {
  '001_foundation': m001,
  '002_catalogue': m002,
  '003_calendar': m003,
  '004_case_lifecycle': m004,
  '005_supervision': m005,
  '006_callbacks': m006,
  '007_access': m007,
  '008_adapters_in_case': m008,
  '009_engine_never_stalls': m009,
  '010_security': m010,
  '011_reconciliation_signals': m011,
  '012_daily_rollups': m012,
  '013_material_checklist': m013,
  '014_desk_and_documents': m014,
  '015_sign_in_limits': m015,
  '016_second_engine': m016,
  '017_service_hall': m017,
  '018_data_outwards': m018,
  '019_simulated_approval': m019,
  '020_case_view_version': m020,
  '021_supervision_sweep': m021,
  '022_step_clocks': m022,
  '023_sweep_backoff': m023,
  '024_case_view_notify': m024,
  '025_live_view': m025,
};

export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: () => Promise.resolve(Object.keys(migrations)),
  getMigrationName: (name) => name,
  getMigration: (name) => Promise.resolve(migrations[name]),
};
