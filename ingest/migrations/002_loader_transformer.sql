-- The loader writes raw and the load ledger; the transformer reads raw and builds the models.
-- Default privileges cover the raw tables created later (a new feed in the catalogue).

grant usage on schema raw, meta to mz_loader;
grant select, insert, update, delete on all tables in schema raw to mz_loader;
alter default privileges in schema raw grant select, insert, update, delete on tables to mz_loader;
grant select, insert, update, delete on meta.deliveries, meta.quarantine, meta.watermarks to mz_loader;
grant select on meta.warehouse to mz_loader;
grant usage on all sequences in schema meta to mz_loader;

grant usage on schema raw to mz_transformer;
grant select on all tables in schema raw to mz_transformer;
alter default privileges in schema raw grant select on tables to mz_transformer;
grant usage on schema meta to mz_transformer;
grant select on meta.deliveries to mz_transformer;
grant usage, create on schema staging, intermediate, marts, warnings, quality, core, analytics, util
    to mz_transformer;
