-- Group roles of the warehouse (NOLOGIN; people and services log in as members of them) and
-- nothing granted to PUBLIC. Roles are cluster-wide: created once, kept when already present.
--
--   mz_loader       writes raw.* and the load ledger (meta.deliveries, quarantine, watermarks)
--   mz_transformer  reads raw, builds the dbt schemas (staging … quality)
--   mz_auditor      reads warnings with identity and evidence, only of its districts (audit.*)
--   mz_bi_reader    reads the masked reporting.* views, nothing else
do $$
declare
    r text;
begin
    foreach r in array array['mz_loader', 'mz_transformer', 'mz_auditor', 'mz_bi_reader'] loop
        if not exists (select 1 from pg_roles where rolname = r) then
            begin
                execute format('create role %I nologin', r);
            exception when duplicate_object or unique_violation then
                null;  -- created meanwhile by a migration of another database
            end;
        end if;
    end loop;
end
$$;

-- The schemas the roles are granted on exist before any build, so grants can name them.
create schema if not exists staging;
create schema if not exists intermediate;
create schema if not exists marts;
create schema if not exists warnings;
create schema if not exists quality;
create schema if not exists core;
create schema if not exists analytics;
create schema if not exists util;
create schema if not exists audit;
create schema if not exists reporting;
create schema if not exists vault;      -- the pseudonym key: owner only, never granted

-- Nothing to PUBLIC: not the database (connect, temp), not the public schema, not functions.
do $$
begin
    execute format('revoke all on database %I from public', current_database());
    execute format('grant connect on database %I to mz_loader, mz_transformer, mz_auditor, mz_bi_reader',
                   current_database());
    execute format('grant temporary on database %I to mz_loader, mz_transformer', current_database());
end
$$;
revoke all on schema public from public;
revoke execute on all functions in schema util from public;
alter default privileges revoke execute on functions from public;
