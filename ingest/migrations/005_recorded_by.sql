-- The audit trail says by which role each event was recorded: the database role of the session
-- that inserted the row (current_user). Rows from before this migration keep null (unknown):
-- the column is added without a default (which would stamp them with the migrating role), then
-- given one.
alter table meta.deliveries add column if not exists recorded_by text;
alter table meta.deliveries alter column recorded_by set default current_user;
alter table meta.quarantine add column if not exists recorded_by text;
alter table meta.quarantine alter column recorded_by set default current_user;
alter table meta.gate_results add column if not exists recorded_by text;
alter table meta.gate_results alter column recorded_by set default current_user;
alter table publish.warning_revisions add column if not exists recorded_by text;
alter table publish.warning_revisions alter column recorded_by set default current_user;
alter table publish.batches add column if not exists recorded_by text;
alter table publish.batches alter column recorded_by set default current_user;
alter table publish.push_attempts add column if not exists recorded_by text;
alter table publish.push_attempts alter column recorded_by set default current_user;
