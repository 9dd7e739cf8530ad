-- What the baseline proof compares between two databases: everything in Parcours's schemas that
-- a migration can create or change, each as sortable text. Names that TimescaleDB numbers in
-- creation order (materialization hypertables and their indexes) are given their aggregate's
-- name, and ACLs are sorted, since grant order is not meaning.

-- name: relations
SELECT format('%%s %%s %%s', c.oid::regclass, c.relkind, coalesce(array_to_string(c.reloptions, ','), ''))
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY(%(schemas)s) AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'c');

-- name: columns
SELECT format('%%s.%%s #%%s %%s%%s%%s%%s', c.oid::regclass, a.attname,
              row_number() OVER (PARTITION BY c.oid ORDER BY a.attnum),
              format_type(a.atttypid, a.atttypmod), CASE WHEN a.attnotnull THEN ' not null' ELSE '' END,
              CASE WHEN a.attidentity <> '' THEN ' identity ' || a.attidentity::text ELSE '' END,
              coalesce(' ' || a.attgenerated::text || ' default ' || pg_get_expr(d.adbin, d.adrelid), ''))
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
WHERE n.nspname = ANY(%(schemas)s) AND c.relkind IN ('r', 'p', 'v', 'm', 'c');

-- name: constraints
SELECT format('%%s %%s %%s', conrelid::regclass, conname, pg_get_constraintdef(oid))
FROM pg_constraint
WHERE connamespace IN (SELECT oid FROM pg_namespace WHERE nspname = ANY(%(schemas)s));

-- name: indexes
WITH owner AS (
    SELECT format('%%I.%%I', materialization_hypertable_schema, materialization_hypertable_name)::regclass AS relid,
           materialization_hypertable_name AS internal, view_name
    FROM timescaledb_information.continuous_aggregates
)
SELECT replace(pg_get_indexdef(i.indexrelid), coalesce(o.internal, '@'), coalesce(o.view_name, '@'))
FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
LEFT JOIN owner o ON o.relid = i.indrelid
WHERE n.nspname = ANY(%(schemas)s) OR o.relid IS NOT NULL;

-- name: functions
SELECT format(E'%%s\n%%s', pg_get_functiondef(p.oid),
              array(SELECT x::text FROM unnest(p.proacl) AS x ORDER BY 1))
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = ANY(%(schemas)s);

-- name: views
SELECT format(E'%%s\n%%s', c.oid::regclass,
              regexp_replace(pg_get_viewdef(c.oid), '_materialized_hypertable_\d+', 'materialization', 'g'))
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY(%(schemas)s) AND c.relkind IN ('v', 'm');

-- name: triggers
SELECT pg_get_triggerdef(t.oid)
FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY(%(schemas)s) AND NOT t.tgisinternal AND t.tgname NOT LIKE 'ts_%%';

-- name: policies
SELECT format('%%s %%s %%s %%s %%s', p.polrelid::regclass, p.polname, p.polcmd,
              pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid))
FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY(%(schemas)s);

-- name: grants
SELECT format('%%s %%s', c.oid::regclass, array(SELECT x::text FROM unnest(c.relacl) AS x ORDER BY 1))
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY(%(schemas)s) AND c.relacl IS NOT NULL
UNION ALL
SELECT format('%%s.%%s %%s', c.oid::regclass, a.attname, array(SELECT x::text FROM unnest(a.attacl) AS x ORDER BY 1))
FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY(%(schemas)s) AND a.attacl IS NOT NULL
UNION ALL
SELECT format('schema %%s %%s', nspname, array(SELECT x::text FROM unnest(nspacl) AS x ORDER BY 1))
FROM pg_namespace WHERE nspname = ANY(%(schemas)s)
UNION ALL
SELECT format('type %%s %%s', t.oid::regtype, array(SELECT x::text FROM unnest(t.typacl) AS x ORDER BY 1))
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE n.nspname = ANY(%(schemas)s) AND t.typacl IS NOT NULL;

-- name: comments
SELECT format('%%s %%s %%s', c.oid::regclass, d.objsubid, d.description)
FROM pg_description d JOIN pg_class c ON c.oid = d.objoid AND d.classoid = 'pg_class'::regclass
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY(%(schemas)s)
UNION ALL
SELECT format('function %%s %%s', p.oid::regprocedure, d.description)
FROM pg_description d JOIN pg_proc p ON p.oid = d.objoid AND d.classoid = 'pg_proc'::regclass
JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = ANY(%(schemas)s);

-- name: role_settings
SELECT format('%%s %%s', r.rolname, array(SELECT x FROM unnest(s.setconfig) AS x ORDER BY 1))
FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole
WHERE s.setdatabase IN (0, (SELECT oid FROM pg_database WHERE datname = current_database()))
  AND r.rolname LIKE 'parcours%%';

-- name: hypertables
SELECT format('%%s.%%s %%s %%s %%s', hypertable_schema, hypertable_name, column_name, column_type, time_interval)
FROM timescaledb_information.dimensions
WHERE hypertable_schema = ANY(%(schemas)s);

-- name: continuous_aggregates
SELECT format(E'%%s.%%s materialized_only=%%s\n%%s', a.user_view_schema, a.user_view_name, a.materialized_only,
              pg_get_viewdef(format('%%I.%%I', a.direct_view_schema, a.direct_view_name)::regclass))
FROM _timescaledb_catalog.continuous_agg AS a;

-- name: jobs
-- A job's config lists rollups in creation order, which the baseline groups by family: compared
-- as a set here (tests/parcours/test_rollups.py checks that each refreshes after what it reads).
SELECT format('%%s.%%s every %%s scheduled=%%s %%s', proc_schema, proc_name, schedule_interval, scheduled,
              CASE WHEN config ? 'rollups'
                   THEN (SELECT jsonb_agg(r ORDER BY r ->> 'name') FROM jsonb_array_elements(config -> 'rollups') AS r)
                   ELSE config END)
FROM timescaledb_information.jobs
WHERE proc_schema NOT IN ('_timescaledb_internal', '_timescaledb_functions');

-- name: rollup_tables
SELECT format('%%s %%s %%s', name, source, width) FROM parcours.rollups;
