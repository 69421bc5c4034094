import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { testEnv } from '../../support/environment';
import { createTestTenant } from '../../support/tenants';

/**
 * Citus schema-based sharding (`citus.enable_schema_based_sharding`) moves each tenant schema, whole,
 * to one node (`citus_schema_move`). That only works while a tenant schema is self-contained:
 * see docs/decisions/citus-schema-sharding.md. This reads a freshly provisioned tenant from
 * pg_catalog and names each object that breaks a rule.
 *
 * What a tenant schema may refer to besides itself: `pg_catalog`, and `extensions` (unaccent,
 * pg_trgm, the `pt_unaccent` search configuration and `immutable_unaccent`: no data, created on
 * every node).
 */
const SHARED = ['pg_catalog', 'extensions'];

function q<T extends object>(sql: string, bind: unknown[]): Promise<T[]> {
  return testEnv().sequelize.query<T>(sql, { bind, type: QueryTypes.SELECT });
}

/** Each rule: what in `schema` breaks it (empty when it holds). */
const RULES: Record<string, (schema: string) => Promise<string[]>> = {
  'no foreign key to or from another schema': async (schema) =>
    (
      await q<{ fk: string }>(
        `SELECT format('%s.%s -> %s.%s (%s)', n.nspname, r.relname, fn.nspname, f.relname, c.conname) AS fk
           FROM pg_constraint c
           JOIN pg_class r ON r.oid = c.conrelid JOIN pg_namespace n ON n.oid = r.relnamespace
           JOIN pg_class f ON f.oid = c.confrelid JOIN pg_namespace fn ON fn.oid = f.relnamespace
          WHERE c.contype = 'f' AND (n.nspname = $1::text) <> (fn.nspname = $1::text)`,
        [schema],
      )
    ).map((r) => r.fk),
  'no view that reads another schema': async (schema) =>
    (
      await q<{ view: string }>(
        `SELECT DISTINCT format('%s uses %s.%s', v.relname, tn.nspname, t.relname) AS view
           FROM pg_rewrite rw
           JOIN pg_class v ON v.oid = rw.ev_class
           JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = rw.oid AND d.refclassid = 'pg_class'::regclass
           JOIN pg_class t ON t.oid = d.refobjid JOIN pg_namespace tn ON tn.oid = t.relnamespace
          WHERE v.relnamespace = to_regnamespace($1::text) AND tn.nspname <> $1::text AND NOT (tn.nspname = ANY ($2))`,
        [schema, SHARED],
      )
    ).map((r) => r.view),
  'functions and triggers that name no other schema and run with its own search path': async (schema) => {
    const functions = await q<{ name: string; src: string; config: string[] | null }>(
      `SELECT p.proname AS name, p.prosrc AS src, p.proconfig AS config FROM pg_proc p WHERE p.pronamespace = to_regnamespace($1::text)`,
      [schema],
    );
    const problems: string[] = [];
    for (const f of functions) {
      for (const m of f.src.matchAll(/\b(platform|public|tenant_[0-9]+)\s*\./gi)) {
        if (m[1] !== schema) problems.push(`${f.name} menciona ${m[1]}.`);
      }
      for (const setting of f.config ?? []) {
        const path = /^search_path=(.*)$/.exec(setting)?.[1];
        if (!path) continue;
        for (const entry of path.split(',').map((e) => e.trim().replace(/^"|"$/g, ''))) {
          if (entry !== schema && !SHARED.includes(entry)) problems.push(`${f.name} roda com search_path ${path}`);
        }
      }
    }
    const triggers = await q<{ trigger: string }>(
      `SELECT format('%s on %s calls %s.%s', tg.tgname, c.relname, pn.nspname, p.proname) AS trigger
         FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid
         JOIN pg_proc p ON p.oid = tg.tgfoid JOIN pg_namespace pn ON pn.oid = p.pronamespace
        WHERE c.relnamespace = to_regnamespace($1::text) AND NOT tg.tgisinternal AND pn.nspname <> $1::text`,
      [schema],
    );
    return [...problems, ...triggers.map((t) => t.trigger)];
  },
  'sequences inside the schema; defaults, indexes and column types within the allowed schemas': async (schema) => {
    const sequences = await q<{ what: string }>(
      `SELECT format('%s.%s uses sequence %s.%s', c.relname, a.attname, sn.nspname, s.relname) AS what
         FROM pg_attrdef ad
         JOIN pg_class c ON c.oid = ad.adrelid JOIN pg_attribute a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum
         JOIN pg_depend d ON d.classid = 'pg_attrdef'::regclass AND d.objid = ad.oid AND d.refclassid = 'pg_class'::regclass
         JOIN pg_class s ON s.oid = d.refobjid AND s.relkind = 'S' JOIN pg_namespace sn ON sn.oid = s.relnamespace
        WHERE c.relnamespace = to_regnamespace($1::text) AND sn.nspname <> $1::text`,
      [schema],
    );
    const types = await q<{ what: string }>(
      `SELECT format('%s.%s is %s.%s', c.relname, a.attname, tn.nspname, t.typname) AS what
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
         JOIN pg_type t ON t.oid = a.atttypid JOIN pg_namespace tn ON tn.oid = t.typnamespace
        WHERE c.relnamespace = to_regnamespace($1::text) AND c.relkind IN ('r', 'p', 'v', 'm') AND a.attnum > 0 AND NOT a.attisdropped
          AND tn.nspname <> $1::text AND NOT (tn.nspname = ANY ($2))`,
      [schema, SHARED],
    );
    const expressions = await q<{ what: string }>(
      `SELECT format('%s: %s', c.relname, pg_get_expr(ad.adbin, ad.adrelid)) AS what
         FROM pg_attrdef ad JOIN pg_class c ON c.oid = ad.adrelid
        WHERE c.relnamespace = to_regnamespace($1::text) AND replace(pg_get_expr(ad.adbin, ad.adrelid), $1::text || '.', '') ~ '(platform|public|tenant_[0-9]+)\\.'
       UNION ALL
       SELECT format('%s: %s', i.relname, pg_get_indexdef(i.oid)) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
        WHERE i.relnamespace = to_regnamespace($1::text)
          AND replace(pg_get_indexdef(i.oid), $1::text || '.', '') ~ '(platform|public|tenant_[0-9]+)\\.'`,
      [schema],
    );
    return [...sequences, ...types, ...expressions].map((r) => r.what);
  },
  'a primary key on every table (citus_schema_move copies a schema while it is written, by logical replication)': async (schema) =>
    (
      await q<{ table: string }>(
        `SELECT c.relname AS table FROM pg_class c
          WHERE c.relnamespace = to_regnamespace($1::text) AND c.relkind IN ('r', 'p')
            AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'p')
            AND c.relreplident <> 'f'
          ORDER BY 1`,
        [schema],
      )
    ).map((r) => r.table),
  'nothing elsewhere that depends on its objects (platform refers to a tenant only by id)': async (schema) =>
    (
      await q<{ what: string }>(
        `SELECT DISTINCT format('%s depends on %s', pg_describe_object(d.classid, d.objid, d.objsubid), pg_describe_object(d.refclassid, d.refobjid, d.refobjsubid)) AS what
           FROM pg_depend d
           JOIN pg_class t ON d.refclassid = 'pg_class'::regclass AND t.oid = d.refobjid AND t.relnamespace = to_regnamespace($1::text)
           LEFT JOIN pg_class o ON d.classid = 'pg_class'::regclass AND o.oid = d.objid
           LEFT JOIN pg_rewrite rw ON d.classid = 'pg_rewrite'::regclass AND rw.oid = d.objid
           LEFT JOIN pg_class rv ON rv.oid = rw.ev_class
          WHERE coalesce(o.relnamespace, rv.relnamespace) NOT IN (to_regnamespace($1::text), 'pg_toast'::regnamespace)`,
        [schema],
      )
    ).map((r) => r.what),
};

describe('Integration - tenancy/Citus schema-based sharding rules (a fresh tenant schema)', () => {
  let schema: string;
  before(async () => {
    schema = (await createTestTenant()).tenant.schema;
  });

  for (const [rule, findings] of Object.entries(RULES)) {
    it(`has ${rule}`, async () => {
      expect(await findings(schema)).to.deep.equal([]);
    });
  }

  it('has functions and sequences of its own (the checks above have something to read)', async () => {
    const [row] = await q<{ functions: string; sequences: string }>(
      `SELECT (SELECT count(*) FROM pg_proc WHERE pronamespace = to_regnamespace($1::text)) AS functions,
              (SELECT count(*) FROM pg_class WHERE relkind = 'S' AND relnamespace = to_regnamespace($1::text)) AS sequences`,
      [schema],
    );
    expect(Number(row.functions)).to.be.greaterThan(0);
    expect(Number(row.sequences)).to.be.greaterThan(0);
  });

  it('names each break of the rules in a tenant schema broken on purpose', async () => {
    const broken = (await createTestTenant()).tenant.schema;
    const sql = (text: string): Promise<unknown> => testEnv().sequelize.query(text);
    await sql(`
      ALTER TABLE "${broken}".units ADD COLUMN tenant_ref BIGINT REFERENCES platform.tenants (id);
      CREATE VIEW "${broken}".registry AS SELECT id, slug FROM platform.tenants;
      CREATE FUNCTION "${broken}".peek() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM platform.tenants';
      CREATE FUNCTION public.fault_touch() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
      CREATE TRIGGER touch BEFORE UPDATE ON "${broken}".units FOR EACH ROW EXECUTE FUNCTION public.fault_touch();
      CREATE SEQUENCE public.fault_seq;
      ALTER TABLE "${broken}".units ADD COLUMN shared_counter BIGINT DEFAULT nextval('public.fault_seq');
      CREATE TABLE "${broken}".loose (note TEXT);
      CREATE VIEW platform.fault_peek AS SELECT count(*) AS n FROM "${broken}".units;
    `);
    try {
      expect(await RULES['a primary key on every table (citus_schema_move copies a schema while it is written, by logical replication)'](broken)).to.deep.equal(['loose']);
      const found = Object.fromEntries(await Promise.all(Object.entries(RULES).map(async ([rule, findings]) => [rule, await findings(broken)])));
      for (const [rule, list] of Object.entries(found)) expect(list, rule).to.not.deep.equal([]);
    } finally {
      await sql(`
        DROP VIEW platform.fault_peek;
        DROP TABLE "${broken}".loose;
        DROP VIEW "${broken}".registry;
        DROP FUNCTION "${broken}".peek();
        DROP TRIGGER touch ON "${broken}".units;
        ALTER TABLE "${broken}".units DROP COLUMN tenant_ref, DROP COLUMN shared_counter;
        DROP FUNCTION public.fault_touch();
        DROP SEQUENCE public.fault_seq;
      `);
    }
  });
});
