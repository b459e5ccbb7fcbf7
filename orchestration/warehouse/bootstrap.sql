-- Schemas, roles and the audit tables of the warehouse. Idempotent: runs before every load.
-- Roles are cluster-wide; NOLOGIN roles are assumed by the pipeline with SET ROLE.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'tadamon_loader') THEN
    CREATE ROLE tadamon_loader NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'tadamon_transformer') THEN
    CREATE ROLE tadamon_transformer NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'bi_reader') THEN
    CREATE ROLE bi_reader LOGIN;
  END IF;
END
$$;

CREATE SCHEMA IF NOT EXISTS raw;
CREATE SCHEMA IF NOT EXISTS audit;
CREATE SCHEMA IF NOT EXISTS staging;
CREATE SCHEMA IF NOT EXISTS intermediate;
CREATE SCHEMA IF NOT EXISTS marts;

CREATE TABLE IF NOT EXISTS audit.load_file (
    load_id        bigserial PRIMARY KEY,
    provider       text        NOT NULL,
    source_name    text,
    file_name      text        NOT NULL,
    sha256         char(64)    NOT NULL,
    size_bytes     bigint      NOT NULL,
    period         text,
    received_at    timestamptz NOT NULL,
    loaded_at      timestamptz NOT NULL DEFAULT now(),
    status         text        NOT NULL CHECK (status IN ('loaded', 'duplicate', 'rejected', 'superseded')),
    encoding       text,
    rows_read      integer     NOT NULL DEFAULT 0,
    rows_loaded    integer     NOT NULL DEFAULT 0,
    rows_rejected  integer     NOT NULL DEFAULT 0,
    rows_duplicate integer     NOT NULL DEFAULT 0,
    extra_columns  text[]      NOT NULL DEFAULT '{}',
    stored_path    text,
    error          text,
    CONSTRAINT load_file_balances CHECK (
        status <> 'loaded' OR rows_read = rows_loaded + rows_rejected + rows_duplicate)
);
CREATE UNIQUE INDEX IF NOT EXISTS load_file_one_load_per_sha
    ON audit.load_file (sha256) WHERE status = 'loaded';
CREATE INDEX IF NOT EXISTS load_file_by_provider ON audit.load_file (provider, source_name, loaded_at);

CREATE TABLE IF NOT EXISTS audit.rejected_row (
    load_id     bigint   NOT NULL REFERENCES audit.load_file (load_id) ON DELETE CASCADE,
    sha256      char(64) NOT NULL,
    file_name   text     NOT NULL,
    line        text     NOT NULL,
    kind        text     NOT NULL CHECK (kind IN ('rejected', 'duplicate')),
    reason      text     NOT NULL,
    raw_row     jsonb    NOT NULL
);
CREATE INDEX IF NOT EXISTS rejected_row_by_sha ON audit.rejected_row (sha256);

GRANT USAGE ON SCHEMA raw, audit TO tadamon_loader;
GRANT CREATE ON SCHEMA raw TO tadamon_loader;
GRANT USAGE ON SCHEMA raw, audit TO tadamon_transformer;
GRANT USAGE, CREATE ON SCHEMA staging, intermediate, marts TO tadamon_transformer;
GRANT USAGE ON SCHEMA marts TO bi_reader;
REVOKE ALL ON SCHEMA raw, audit, staging, intermediate FROM bi_reader;
GRANT SELECT, INSERT, UPDATE, DELETE ON audit.load_file, audit.rejected_row TO tadamon_loader;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA audit TO tadamon_loader;
GRANT SELECT ON audit.load_file, audit.rejected_row TO tadamon_transformer;
GRANT tadamon_loader, tadamon_transformer TO CURRENT_USER;
ALTER DEFAULT PRIVILEGES FOR ROLE tadamon_transformer IN SCHEMA marts GRANT SELECT ON TABLES TO bi_reader;

CREATE SCHEMA IF NOT EXISTS marts_build;
GRANT USAGE, CREATE ON SCHEMA marts_build TO tadamon_transformer;

-- The rows each raw GX suite judges, staged once per check run (its expectations read the table
-- instead of computing the rows in force again each); no BI role reads them.
CREATE SCHEMA IF NOT EXISTS quality_batch;
GRANT USAGE, CREATE ON SCHEMA quality_batch TO tadamon_transformer;
REVOKE ALL ON SCHEMA quality_batch FROM bi_reader;

-- One row per expectation per check run, so the council can chart quality over time.
CREATE TABLE IF NOT EXISTS audit.quality_result (
    result_id          bigserial PRIMARY KEY,
    run_id             text        NOT NULL,
    checked_at         timestamptz NOT NULL DEFAULT now(),
    asset              text        NOT NULL,
    suite              text        NOT NULL,
    expectation        text        NOT NULL,
    severity           text        NOT NULL CHECK (severity IN ('critical', 'warning')),
    success            boolean     NOT NULL,
    observed_value     text,
    failing_row_count  bigint,
    failing_keys       jsonb,
    details            jsonb
);
CREATE INDEX IF NOT EXISTS quality_result_by_run ON audit.quality_result (run_id);
CREATE INDEX IF NOT EXISTS quality_result_by_asset ON audit.quality_result (asset, checked_at);
GRANT SELECT, INSERT ON audit.quality_result TO tadamon_loader, tadamon_transformer;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA audit TO tadamon_loader, tadamon_transformer;

-- The loads each raw suite of new loads has checked (checked) and reads in its next run (not checked):
-- orchestration/quality/runner.py prepare_batch fills it; the suite's batch query reads it.
CREATE TABLE IF NOT EXISTS audit.raw_check_load (
    suite      text    NOT NULL,
    load_id    bigint  NOT NULL,
    checked    boolean NOT NULL DEFAULT false,
    suite_sha  text    NOT NULL,
    PRIMARY KEY (suite, load_id)
);
GRANT SELECT, INSERT, UPDATE, DELETE ON audit.raw_check_load TO tadamon_transformer;

-- One row per publication of the marts: what they were built from.
CREATE TABLE IF NOT EXISTS audit.publication (
    publication_id      bigserial   PRIMARY KEY,
    published_at        timestamptz NOT NULL DEFAULT now(),
    last_load_id        bigint,
    project_fingerprint text        NOT NULL,
    row_counts          jsonb       NOT NULL
);
GRANT SELECT, INSERT ON audit.publication TO tadamon_transformer;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA audit TO tadamon_transformer;

-- bi_reader reads the marts and nothing else: no temporary objects (tables, functions in pg_temp)
-- in the warehouse database; the roles that need them get them by name.
DO $$
BEGIN
  EXECUTE 'REVOKE TEMPORARY ON DATABASE ' || quote_ident(current_database()) || ' FROM PUBLIC';
  EXECUTE 'GRANT TEMPORARY ON DATABASE ' || quote_ident(current_database()) || ' TO tadamon_loader, tadamon_transformer';
END
$$;

-- The analysts' workspace. bi_analyst reads what bi_reader reads (membership) and may create views
-- and tables in `analyst`, and grant them to bi_reader. The publication never drops a table of
-- `marts` (it refills them in one transaction), so these views survive every night.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'bi_analyst') THEN
    CREATE ROLE bi_analyst LOGIN;
  END IF;
  IF NOT pg_has_role('bi_analyst', 'bi_reader', 'MEMBER') THEN
    GRANT bi_reader TO bi_analyst;
  END IF;
END
$$;
CREATE SCHEMA IF NOT EXISTS analyst;
REVOKE ALL ON SCHEMA analyst FROM PUBLIC;
GRANT USAGE, CREATE ON SCHEMA analyst TO bi_analyst;
GRANT USAGE ON SCHEMA analyst TO bi_reader;

-- Sessions without JIT compilation in this database. PostgreSQL compiles a query whose estimated
-- cost passes jit_above_cost, and here compiling costs more than it saves:
-- - the BI roles: the marts' queries (under a second) pass it at national scale (women beneficiaries
--   by axis: 958 -> 887 ms without it, top 20 organisations: 417 -> 363 ms, participation by
--   session: 148 -> 117 ms);
-- - the pipeline's own login role (the warehouse URL's: the loader, dbt, the checks, the
--   publication): dbt's models are planned from estimates far above what they cost (CTEs, window
--   functions over joins), so nearly every one compiles for one to three seconds, then runs for less
--   (int_organisation_versions at region scale: 2.9 s of compilation, 0.7 s of work; BENCHMARKS.md,
--   part 9).
-- Set per database: the roles are the server's, the other databases on it keep their own settings.
-- Set once: a server whose administrator made the BI roles and keeps the right to alter them gets a
-- warning, not a failure (a role may always set its own).
DO $$
DECLARE
  session_role text;
BEGIN
  FOREACH session_role IN ARRAY ARRAY[current_user::text, 'bi_reader', 'bi_analyst'] LOOP
    IF NOT EXISTS (
      SELECT FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole
      JOIN pg_database d ON d.oid = s.setdatabase
      WHERE r.rolname = session_role AND d.datname = current_database() AND 'jit=off' = ANY (s.setconfig)
    ) THEN
      BEGIN
        EXECUTE 'ALTER ROLE ' || quote_ident(session_role) || ' IN DATABASE ' || quote_ident(current_database())
          || ' SET jit = off';
      EXCEPTION WHEN insufficient_privilege THEN
        RAISE WARNING USING MESSAGE = 'sessions of ' || session_role || ' keep JIT compilation: ' || SQLERRM;
      END;
    END IF;
  END LOOP;
  PERFORM set_config('jit', 'off', false);  -- this session too: the settings above apply from the next login
END
$$;
