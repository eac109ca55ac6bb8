/**
 * Access and integration: staff passwords, sessions (staff and applicants), integrator API
 * keys, idempotent POST responses, webhook subscriptions and their delivery log, who filed each
 * case, and a hash chain over the audit log so a changed or removed row is detected.
 */
import type { Knex } from 'knex';

/** The text each audit row's hash covers; the verification query uses the same expression. */
export const auditChainText = `
  coalesce(prev_hash, '') || '|' || chain_seq::text || '|' ||
  to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') || '|' ||
  actor || '|' || action || '|' || coalesce(case_no, '') || '|' || detail::text`;

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('staff_users', (t) => {
    /** scrypt, self-describing: scrypt$N$r$p$salt$hash (base64). Null = cannot sign in with a password. */
    t.text('password_hash');
    t.boolean('disabled').notNullable().defaultTo(false);
  });

  await knex.schema.createTable('sessions', (t) => {
    /** SHA-256 of the bearer token; the token itself is never stored. */
    t.string('token_hash', 64).primary();
    t.string('kind', 16).notNullable();
    /** Staff id, or the applicant's ID number / credit code. */
    t.string('subject', 64).notNullable();
    t.string('name', 100).notNullable();
    t.string('assurance_level', 16);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('revoked_at', { useTz: true });
    t.index(['subject']);
  });
  await knex.raw(`alter table sessions add constraint sessions_kind_check check (kind in ('staff', 'applicant'))`);

  // An applicant's SMS sign-in in progress: the platform's request id, bound to the person.
  await knex.schema.createTable('login_challenges', (t) => {
    t.string('request_id', 100).primary();
    t.string('id_number', 18).notNullable();
    t.string('name', 100).notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('used_at', { useTz: true });
  });

  await knex.schema.createTable('api_keys', (t) => {
    t.string('id', 32).primary();
    t.string('name', 100).notNullable();
    /** SHA-256 of the access token (high-entropy, so a fast hash is enough). */
    t.string('token_hash', 64).notNullable();
    /** The request-signing secret, AES-256-GCM under the server's key (it must be recoverable to check HMACs). */
    t.text('signing_secret_enc').notNullable();
    t.specificType('scopes', 'text[]').notNullable();
    t.integer('rate_per_minute').notNullable().defaultTo(600);
    t.string('created_by', 64).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('revoked_at', { useTz: true });
    t.timestamp('last_used_at', { useTz: true });
  });

  await knex.schema.createTable('request_nonces', (t) => {
    t.string('nonce', 100).primary();
    t.timestamp('expires_at', { useTz: true }).notNullable();
  });

  await knex.schema.createTable('idempotent_responses', (t) => {
    /** principal ref + ':' + method + ' ' + path + ':' + key */
    t.string('scope_key', 400).primary();
    t.string('request_hash', 64).notNullable();
    t.string('state', 16).notNullable();
    t.integer('status');
    t.jsonb('body');
    t.string('location', 400);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  // Who filed a case: staff id, applicant id number or integrator key, for ownership checks.
  await knex.schema.alterTable('case_filings', (t) => {
    t.string('filed_by_kind', 16);
    t.string('filed_by', 64);
    t.index(['filed_by_kind', 'filed_by']);
  });
  await knex.raw(`create index cases_applicant_id on cases ((applicant->>'idNumber'))`);
  // The inbox is read soonest-due first.
  await knex.schema.alterTable('tasks', (t) => {
    t.index(['department_code', 'status', 'role', 'due_at'], 'tasks_inbox_due');
  });

  // Uploaded application materials (申请材料), kept in the database with their digest.
  await knex.schema.createTable('case_materials', (t) => {
    t.string('id', 40).primary();
    t.string('case_no', 32).notNullable();
    t.string('material_name', 200).notNullable();
    t.string('file_name', 200).notNullable();
    t.string('content_type', 100).notNullable();
    t.integer('size').notNullable();
    t.string('sha256', 64).notNullable();
    t.binary('content').notNullable();
    t.string('uploaded_by', 64).notNullable();
    t.timestamp('uploaded_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['case_no']);
  });

  await knex.schema.createTable('webhook_subscriptions', (t) => {
    t.string('id', 40).primary();
    t.string('api_key_id', 32).notNullable().references('api_keys.id');
    t.string('url', 500).notNullable();
    t.specificType('events', 'text[]').notNullable();
    t.text('secret_enc').notNullable();
    t.boolean('active').notNullable().defaultTo(true);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.createTable('webhook_deliveries', (t) => {
    t.bigIncrements('id');
    t.string('subscription_id', 40).notNullable().references('webhook_subscriptions.id');
    /** caseNo:seq of the case event, so a re-projected event is queued once. */
    t.string('event_id', 64).notNullable();
    t.string('event_type', 64).notNullable();
    t.string('case_no', 32).notNullable();
    t.jsonb('payload').notNullable();
    t.string('state', 16).notNullable().defaultTo('pending');
    t.integer('attempts').notNullable().defaultTo(0);
    t.timestamp('next_attempt_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.integer('last_status');
    t.text('last_error');
    t.timestamp('delivered_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['subscription_id', 'event_id']);
    t.index(['state', 'next_attempt_at']);
  });
  await knex.schema.createTable('webhook_attempts', (t) => {
    t.bigIncrements('id');
    t.bigInteger('delivery_id').notNullable().references('webhook_deliveries.id');
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.integer('status');
    t.text('error');
    t.integer('duration_ms').notNullable();
    t.index(['delivery_id']);
  });

  // The audit chain: each row carries the hash of the previous one. A trigger fills both under
  // an advisory lock, so rows written by any process, in any transaction, join the one chain.
  await knex.schema.alterTable('audit_log', (t) => {
    t.bigInteger('chain_seq');
    t.string('prev_hash', 64);
    t.string('hash', 64);
  });
  await knex.raw(`alter table audit_log disable trigger audit_log_append_only`);
  await knex.raw(`
    with ordered as (select id, row_number() over (order by id) as n from audit_log)
    update audit_log a set chain_seq = o.n from ordered o where o.id = a.id`);
  // Existing rows, chained in order.
  const rows = await knex('audit_log').orderBy('chain_seq').select('id');
  for (const { id } of rows as { id: string }[]) {
    await knex.raw(`
      update audit_log set prev_hash = coalesce((select p.hash from audit_log p where p.chain_seq = audit_log.chain_seq - 1), repeat('0', 64))
      where id = ?`, [id]);
    await knex.raw(`update audit_log set hash = encode(sha256(convert_to(${auditChainText}, 'UTF8')), 'hex') where id = ?`, [id]);
  }
  await knex.raw(`alter table audit_log enable trigger audit_log_append_only`);
  await knex.raw(`create unique index audit_log_chain_seq on audit_log (chain_seq)`);
  await knex.raw(`
    create function audit_chain() returns trigger language plpgsql as $$
    declare last record;
    begin
      perform pg_advisory_xact_lock(74110001);
      select chain_seq, hash into last from audit_log order by chain_seq desc limit 1;
      new.chain_seq := coalesce(last.chain_seq, 0) + 1;
      new.prev_hash := coalesce(last.hash, repeat('0', 64));
      new.at := date_trunc('microseconds', new.at);
      new.hash := encode(sha256(convert_to(
        new.prev_hash || '|' || new.chain_seq::text || '|' ||
        to_char(new.at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') || '|' ||
        new.actor || '|' || new.action || '|' || coalesce(new.case_no, '') || '|' || new.detail::text, 'UTF8')), 'hex');
      return new;
    end $$;
    create trigger audit_log_chain before insert on audit_log for each row execute function audit_chain();
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop trigger if exists audit_log_chain on audit_log');
  await knex.raw('drop function if exists audit_chain');
  await knex.raw('drop index if exists audit_log_chain_seq');
  await knex.raw('alter table audit_log disable trigger audit_log_append_only');
  await knex.schema.alterTable('audit_log', (t) => {
    t.dropColumn('chain_seq');
    t.dropColumn('prev_hash');
    t.dropColumn('hash');
  });
  await knex.raw('alter table audit_log enable trigger audit_log_append_only');
  for (const table of ['webhook_attempts', 'webhook_deliveries', 'webhook_subscriptions', 'idempotent_responses', 'request_nonces', 'api_keys', 'login_challenges', 'sessions', 'case_materials']) {
    await knex.schema.dropTableIfExists(table);
  }
  await knex.raw('drop index if exists cases_applicant_id');
  await knex.raw('drop index if exists tasks_inbox_due');
  await knex.schema.alterTable('case_filings', (t) => {
    t.dropIndex(['filed_by_kind', 'filed_by']);
    t.dropColumn('filed_by_kind');
    t.dropColumn('filed_by');
  });
  await knex.schema.alterTable('staff_users', (t) => {
    t.dropColumn('password_hash');
    t.dropColumn('disabled');
  });
}
