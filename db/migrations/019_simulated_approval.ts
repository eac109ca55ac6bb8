/**
 * 模拟审批 (simulated approval): where a simulated case is (simulating → awaiting → converting →
 * converted, or lapsed / refused / ended), the working days of its simulated review and of its formal
 * part (precondition → certificate), and the instants the indicators read. Supervision events
 * say whether they came during the simulated review.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('cases', (t) => {
    t.string('simulation_state', 16).nullable();
    t.integer('simulated_days').nullable();
    t.integer('formal_days').nullable();
    t.timestamp('precondition_met_at', { useTz: true }).nullable();
    t.timestamp('simulation_lapse_at', { useTz: true }).nullable();
  });
  await knex.raw(`alter table cases add constraint cases_simulation_state_check check (simulation_state in ('simulating','awaiting','converting','converted','lapsed','refused','ended'))`);
  await knex.raw('create index cases_simulation_idx on cases (item_code, simulation_state) where simulation_state is not null');
  await knex.schema.alterTable('supervision_events', (t) => {
    t.boolean('simulated').notNullable().defaultTo(false);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('supervision_events', (t) => {
    t.dropColumn('simulated');
  });
  await knex.raw('drop index if exists cases_simulation_idx');
  await knex.schema.alterTable('cases', (t) => {
    t.dropColumn('simulation_lapse_at');
    t.dropColumn('precondition_met_at');
    t.dropColumn('formal_days');
    t.dropColumn('simulated_days');
    t.dropColumn('simulation_state');
  });
}
