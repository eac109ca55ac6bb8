/**
 * Security (等保三级): the audit chain keyed by a secret the database does not hold, TRUNCATE
 * refused on the audit log, and staff passwords that must be changed.
 *
 * Audit chain version 2: each new row's hash is HMAC-SHA-256 over the same text as version 1
 * (the previous row's hash, the sequence number, time, actor, action, case and detail), keyed
 * by a key derived from AUDIT_KEY. The key reaches the database only as a setting of each
 * connection (`onewindow.audit_key`, set by lib/db.ts when the connection opens); a connection
 * without it cannot write an audit row. Rows written before this migration keep their plain
 * SHA-256 hashes (chain_version 1) and still verify; version-1 rows may only come before the
 * first version-2 row. HMAC is written here in PL/pgSQL over the built-in sha256(), so neither
 * PostgreSQL nor the embedded PGlite needs pgcrypto.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create function audit_hmac(key bytea, msg bytea) returns text language plpgsql immutable strict as $$
    declare
      k bytea := key;
      inner_pad bytea;
      outer_pad bytea;
    begin
      if length(k) > 64 then k := sha256(k); end if;
      k := k || decode(repeat('00', 64 - length(k)), 'hex');
      inner_pad := k;
      outer_pad := k;
      for i in 0..63 loop
        inner_pad := set_byte(inner_pad, i, get_byte(k, i) # 54);
        outer_pad := set_byte(outer_pad, i, get_byte(k, i) # 92);
      end loop;
      return encode(sha256(outer_pad || sha256(inner_pad || msg)), 'hex');
    end $$;
  `);
  await knex.schema.alterTable('audit_log', (t) => {
    /** 1: SHA-256 (rows from before this migration); 2: HMAC-SHA-256 keyed by AUDIT_KEY. */
    t.smallint('chain_version').notNullable().defaultTo(1);
  });
  await knex.raw(`
    create or replace function audit_chain() returns trigger language plpgsql as $$
    declare
      last record;
      key text := current_setting('onewindow.audit_key', true);
    begin
      if key is null or key !~ '^[0-9a-f]{64}$' then
        raise exception 'no audit key on this connection: an audit row cannot be written' using errcode = 'P0001', hint = 'connect through lib/db.ts, which sets onewindow.audit_key from AUDIT_KEY';
      end if;
      perform pg_advisory_xact_lock(74110001);
      select chain_seq, hash into last from audit_log order by chain_seq desc limit 1;
      new.chain_seq := coalesce(last.chain_seq, 0) + 1;
      new.prev_hash := coalesce(last.hash, repeat('0', 64));
      new.at := date_trunc('microseconds', new.at);
      new.chain_version := 2;
      new.hash := audit_hmac(decode(key, 'hex'), convert_to(
        new.prev_hash || '|' || new.chain_seq::text || '|' ||
        to_char(new.at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') || '|' ||
        new.actor || '|' || new.action || '|' || coalesce(new.case_no, '') || '|' || new.detail::text, 'UTF8'));
      return new;
    end $$;
    create trigger audit_log_no_truncate before truncate on audit_log for each statement execute function forbid_audit_change();
  `);
  await knex.schema.alterTable('staff_users', (t) => {
    /** Set for seeded (demo) accounts and after an administrator sets a password: the next sign-in must change it. */
    t.boolean('must_change_password').notNullable().defaultTo(false);
    t.timestamp('password_changed_at', { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('staff_users', (t) => {
    t.dropColumn('must_change_password');
    t.dropColumn('password_changed_at');
  });
  await knex.raw('drop trigger if exists audit_log_no_truncate on audit_log');
  // Version-2 rows cannot be turned back into version 1 without the key; the column stays readable until dropped by hand.
  await knex.raw(`
    create or replace function audit_chain() returns trigger language plpgsql as $$
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
  `);
  await knex.raw('drop function if exists audit_hmac');
}
