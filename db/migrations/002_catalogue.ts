/**
 * The catalogue proper: roles, forms stored by key and version, the version life cycle with
 * published versions made immutable by a trigger, and reviewed change requests.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('roles', (t) => {
    t.string('code', 64).primary();
    t.string('name', 100).notNullable();
  });

  await knex.schema.createTable('forms', (t) => {
    t.string('key', 80).notNullable();
    t.integer('version').notNullable();
    t.jsonb('schema').notNullable();
    t.jsonb('uischema').notNullable();
    t.jsonb('example').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['key', 'version']);
  });
  // A stored form version never changes: cases and published entries rely on it.
  await knex.raw(`
    create function forbid_form_change() returns trigger language plpgsql as $$
    begin
      raise exception 'form %@% is stored and cannot be changed or deleted; add a new version', old.key, old.version
        using errcode = 'P0001', hint = 'immutable';
    end $$;
    create trigger forms_immutable before update or delete on forms for each row execute function forbid_form_change();
  `);

  await knex.raw(`alter table service_items add constraint service_items_type_check check (type in
    ('行政许可','行政给付','行政确认','行政征收','行政裁决','行政奖励','行政处罚','行政强制','行政检查','其他行政权力','公共服务'))`);

  await knex.raw('alter table implementation_versions drop constraint implementation_versions_state_check');
  await knex.raw(`alter table implementation_versions add constraint implementation_versions_state_check
    check (state in ('draft','in_review','published','superseded','suspended','cancelled'))`);
  await knex.schema.alterTable('implementation_versions', (t) => {
    t.string('created_by', 64);
    t.string('change_id', 64);
  });
  // At most one draft or version in review per entry, and one current (published) version.
  await knex.raw(`create unique index implementation_versions_one_open on implementation_versions (implementation_code)
    where state in ('draft','in_review')`);
  await knex.raw(`create unique index implementation_versions_one_published on implementation_versions (implementation_code)
    where state = 'published'`);
  // Anything but a draft is immutable: its content, identity and creation never change again.
  await knex.raw(`
    create function guard_implementation_version() returns trigger language plpgsql as $$
    begin
      if tg_op = 'DELETE' then
        if old.state <> 'draft' then
          raise exception 'version % of % is %, not a draft: it cannot be deleted', old.version, old.implementation_code, old.state
            using errcode = 'P0001', hint = 'immutable';
        end if;
        return old;
      end if;
      if old.state <> 'draft' and (new.entry is distinct from old.entry or new.version <> old.version
          or new.implementation_code <> old.implementation_code) then
        raise exception 'version % of % is %: a published or reviewed version cannot be edited', old.version, old.implementation_code, old.state
          using errcode = 'P0001', hint = 'immutable';
      end if;
      return new;
    end $$;
    create trigger implementation_versions_guard before update or delete on implementation_versions
      for each row execute function guard_implementation_version();
  `);

  await knex.schema.createTable('change_requests', (t) => {
    t.string('id', 64).primary();
    t.string('kind', 16).notNullable();
    t.string('implementation_code', 64).notNullable().references('implementations.code');
    /** Drafts the change publishes: [{ code, version }]. */
    t.jsonb('drafts').notNullable().defaultTo('[]');
    t.text('reason').notNullable();
    t.string('state', 16).notNullable();
    t.string('submitted_by', 64).notNullable();
    t.timestamp('submitted_at', { useTz: true }).notNullable();
    t.timestamp('decided_at', { useTz: true });
    t.index(['implementation_code']);
  });
  await knex.raw(`alter table change_requests add constraint change_requests_kind_check
    check (kind in ('add','change','suspend','cancel','split','delegate-down'))`);
  await knex.raw(`alter table change_requests add constraint change_requests_state_check
    check (state in ('in_review','approved','rejected'))`);
  await knex.raw(`create unique index change_requests_one_open on change_requests (implementation_code) where state = 'in_review'`);

  await knex.schema.createTable('change_reviews', (t) => {
    t.string('change_id', 64).notNullable().references('change_requests.id');
    t.string('stage', 32).notNullable();
    t.integer('position').notNullable();
    t.string('department_code', 32).notNullable();
    t.string('role', 64).notNullable();
    t.string('status', 16).notNullable();
    t.string('decision', 16);
    t.text('opinion');
    t.string('reviewer', 64);
    t.timestamp('opened_at', { useTz: true }).notNullable();
    t.timestamp('decided_at', { useTz: true });
    t.primary(['change_id', 'stage']);
    t.index(['department_code', 'role', 'status']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('change_reviews');
  await knex.schema.dropTableIfExists('change_requests');
  await knex.raw('drop trigger if exists implementation_versions_guard on implementation_versions');
  await knex.raw('drop function if exists guard_implementation_version');
  await knex.raw('drop index if exists implementation_versions_one_open');
  await knex.raw('drop index if exists implementation_versions_one_published');
  await knex.schema.alterTable('implementation_versions', (t) => {
    t.dropColumn('created_by');
    t.dropColumn('change_id');
  });
  await knex.raw('alter table service_items drop constraint service_items_type_check');
  await knex.schema.dropTableIfExists('forms');
  await knex.raw('drop function if exists forbid_form_change');
  await knex.schema.dropTableIfExists('roles');
}
