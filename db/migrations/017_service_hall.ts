/**
 * The service hall (办事大厅): its categories (window groups and the items they take) and
 * windows, appointments (预约) against a capacity per half-hour slot, queue tickets (排号) with
 * their calls, transfers, wait and service times, the hall's event log that the big screen
 * follows, 好差评 per ticket, and the kiosk's certificate pick-ups (自助领证).
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('halls', (t) => {
    t.string('code', 32).primary().references('departments.code');
    t.string('name', 200).notNullable();
    t.string('address', 300).notNullable();
  });
  await knex.schema.createTable('hall_categories', (t) => {
    t.string('hall_code', 32).notNullable().references('halls.code');
    t.string('code', 1).notNullable();
    t.string('name', 100).notNullable();
    t.jsonb('implementation_codes').notNullable();
    /** The entry's window (`windows[].name`) whose opening hours the category keeps. */
    t.string('entry_window', 200).notNullable();
    t.integer('slot_capacity').notNullable();
    t.primary(['hall_code', 'code']);
  });
  await knex.raw(`alter table hall_categories add constraint hall_categories_code check (code ~ '^[A-Z]$'), add constraint hall_categories_capacity check (slot_capacity between 0 and 100)`);
  await knex.schema.createTable('hall_windows', (t) => {
    t.string('hall_code', 32).notNullable().references('halls.code');
    t.integer('number').notNullable();
    t.string('name', 100).notNullable();
    t.jsonb('categories').notNullable();
    t.primary(['hall_code', 'number']);
  });

  // One row per booked slot: the count can never pass the capacity, whoever books at the same moment.
  await knex.schema.createTable('appointment_slots', (t) => {
    t.string('hall_code', 32).notNullable();
    t.string('category', 1).notNullable();
    t.timestamp('slot_start', { useTz: true }).notNullable();
    t.integer('capacity').notNullable();
    t.integer('booked').notNullable().defaultTo(0);
    t.primary(['hall_code', 'category', 'slot_start']);
    t.foreign(['hall_code', 'category']).references(['hall_code', 'code']).inTable('hall_categories');
  });
  await knex.raw('alter table appointment_slots add constraint appointment_slots_capacity check (booked >= 0 and booked <= capacity)');
  await knex.schema.createTable('appointments', (t) => {
    t.uuid('id').primary();
    t.string('code', 8).notNullable().unique();
    t.string('hall_code', 32).notNullable();
    t.string('category', 1).notNullable();
    t.string('implementation_code', 64).notNullable();
    t.timestamp('slot_start', { useTz: true }).notNullable();
    t.string('applicant_id', 18).notNullable();
    t.string('applicant_name', 100).notNullable();
    t.string('phone', 20).notNullable();
    t.string('status', 16).notNullable().defaultTo('booked');
    t.string('sms_message_id', 100);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('cancelled_at', { useTz: true });
    t.timestamp('arrived_at', { useTz: true });
    t.foreign(['hall_code', 'category', 'slot_start']).references(['hall_code', 'category', 'slot_start']).inTable('appointment_slots');
    t.index(['applicant_id']);
    t.index(['hall_code', 'slot_start']);
  });
  await knex.raw(`alter table appointments add constraint appointments_status check (status in ('booked','cancelled','arrived'))`);
  // One live booking per applicant and slot.
  await knex.raw(`create unique index appointments_one_per_slot on appointments (applicant_id, hall_code, slot_start) where status <> 'cancelled'`);

  await knex.schema.createTable('hall_ticket_counters', (t) => {
    t.string('hall_code', 32).notNullable();
    t.date('day').notNullable();
    t.string('category', 1).notNullable();
    t.integer('last').notNullable();
    t.primary(['hall_code', 'day', 'category']);
  });
  await knex.schema.createTable('hall_tickets', (t) => {
    t.uuid('id').primary();
    t.string('hall_code', 32).notNullable().references('halls.code');
    t.date('day').notNullable();
    t.string('category', 1).notNullable();
    t.integer('seq').notNullable();
    t.string('number', 8).notNullable();
    t.string('implementation_code', 64);
    t.uuid('appointment_id').unique().references('appointments.id');
    t.string('priority', 16).notNullable().defaultTo('none');
    t.string('source', 8).notNullable();
    t.string('applicant_id', 18);
    t.string('applicant_name', 100);
    t.string('status', 16).notNullable().defaultTo('waiting');
    t.integer('window_number');
    t.integer('target_window');
    t.integer('calls').notNullable().defaultTo(0);
    t.integer('transfers').notNullable().defaultTo(0);
    t.timestamp('issued_at', { useTz: true }).notNullable();
    t.timestamp('waiting_since', { useTz: true }).notNullable();
    t.timestamp('called_at', { useTz: true });
    t.timestamp('first_called_at', { useTz: true });
    t.timestamp('finished_at', { useTz: true });
    t.bigInteger('wait_ms').notNullable().defaultTo(0);
    t.bigInteger('service_ms').notNullable().defaultTo(0);
    t.string('served_by', 64);
    t.string('case_no', 32);
    t.unique(['hall_code', 'day', 'category', 'seq']);
    t.index(['hall_code', 'status']);
    t.index(['case_no']);
  });
  await knex.raw(`alter table hall_tickets add constraint hall_tickets_status check (status in ('waiting','called','done','no_show')),
    add constraint hall_tickets_priority check (priority in ('none','elderly','disabled','pregnant')),
    add constraint hall_tickets_source check (source in ('desk','kiosk'))`);
  await knex.schema.createTable('hall_events', (t) => {
    t.bigIncrements('id');
    t.string('hall_code', 32).notNullable();
    t.string('kind', 16).notNullable();
    t.uuid('ticket_id').notNullable();
    t.string('number', 8).notNullable();
    t.integer('window_number');
    t.timestamp('at', { useTz: true }).notNullable();
    t.index(['hall_code', 'id']);
  });
  await knex.schema.createTable('hall_ticket_evaluations', (t) => {
    t.uuid('ticket_id').primary().references('hall_tickets.id');
    t.smallint('level').notNullable();
    t.string('comment', 1000).notNullable().defaultTo('');
    t.timestamp('at', { useTz: true }).notNullable();
  });
  await knex.schema.createTable('kiosk_pickups', (t) => {
    t.string('case_no', 32).primary().references('cases.case_no');
    t.string('code', 8).notNullable().unique();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('collected_at', { useTz: true });
    t.string('kiosk', 64);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const t of ['kiosk_pickups', 'hall_ticket_evaluations', 'hall_events', 'hall_tickets', 'hall_ticket_counters', 'appointments', 'appointment_slots', 'hall_windows', 'hall_categories', 'halls']) await knex.schema.dropTableIfExists(t);
}
