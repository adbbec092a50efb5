-- The BI reader's reporting schema: masked views, nothing else.
--
-- Identity numbers (and case refs) become a keyed pseudonym: HMAC-SHA256 with a random key kept
-- in vault.pseudonym_key (owner only). The key is read by the views themselves (a view reads
-- its tables with its owner's rights), never through a function the BI reader could call: such
-- a function would be an oracle (hash every candidate number, match the pseudonyms). Names are
-- masked to their first character (张三 → 张*). Amounts, counts, dates, rules, districts stay.
-- pgcrypto's hmac() is used when the extension can be installed (schema crypto); otherwise a
-- keyed sha256 of key || value (built in).

create table if not exists vault.pseudonym_key (
    singleton   boolean primary key default true check (singleton),
    key         bytea not null
                default decode(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex'),
    created_at  timestamptz not null default now()
);
insert into vault.pseudonym_key default values on conflict do nothing;
revoke all on vault.pseudonym_key from public;

-- Masking helpers (immutable, no secret): a name to its first character, then one * per character.
create or replace function reporting.mask_name(name text) returns text
    language sql immutable parallel safe
    return case when name is null or name = '' then name
                else left(name, 1) || repeat('*', greatest(char_length(name) - 1, 1)) end;

do $$
declare
    crypto_schema text;
    pseudo text;     -- SQL expression template: %1$s = the value to pseudonymise
begin
    select n.nspname into crypto_schema
    from pg_extension e join pg_namespace n on n.oid = e.extnamespace
    where e.extname = 'pgcrypto';
    if crypto_schema is null then
        begin
            create schema if not exists crypto;
            create extension pgcrypto schema crypto;
            crypto_schema := 'crypto';
        exception when others then
            raise notice 'pgcrypto unavailable (%): pseudonyms use a keyed sha256', sqlerrm;
        end;
    end if;
    if crypto_schema is not null then
        pseudo := format('encode(%I.hmac(convert_to(%%1$s, ''UTF8''), (select k.key from vault.pseudonym_key k), ''sha256''), ''hex'')',
                         crypto_schema);
        execute format('grant usage on schema %I to mz_bi_reader', crypto_schema);
        execute format('grant execute on function %I.hmac(bytea, bytea, text) to mz_bi_reader', crypto_schema);
    else
        pseudo := 'encode(sha256((select k.key from vault.pseudonym_key k) || convert_to(%1$s, ''UTF8'')), ''hex'')';
    end if;

    -- Each warning as it stands now (latest revision), identity pseudonymised, name masked.
    execute format($v$
        create or replace view reporting.warnings as
        with latest as (
            select distinct on (warning_id) * from publish.warning_revisions
            order by warning_id, revision desc
        ),
        first as (
            select warning_id, min(business_date) as first_business_date
            from publish.warning_revisions group by warning_id
        )
        select
            l.warning_id, l.revision, l.status, l.rule, l.rule_version, l.severity, l.program,
            l.subject_type,
            left(%1$s, 32) as subject_pseudonym,
            left(%2$s, 32) as case_pseudonym,
            reporting.mask_name(l.subject_name) as subject_name_masked,
            l.district_code, l.period_start, l.period_end, l.months, l.amount_at_risk,
            jsonb_array_length(l.evidence) as evidence_items,
            f.first_business_date, l.business_date as revised_business_date
        from latest l join first f using (warning_id)
    $v$, format(pseudo, 'l.subject'), format(pseudo, 'l.case_ref'));
end
$$;

-- Aggregates for dashboards: current warnings per district, rule and programme.
create or replace view reporting.warnings_by_district_rule as
select
    district_code, rule, program, status, severity,
    count(*) as warnings,
    count(distinct subject_pseudonym) as subjects,
    sum(amount_at_risk) as amount_at_risk,
    sum(months) as months
from reporting.warnings
group by district_code, rule, program, status, severity;

-- Revisions made per business date and rule (new, changed, withdrawn).
create or replace view reporting.revisions_by_day as
select
    business_date, rule,
    count(*) filter (where revision = 1) as new_warnings,
    count(*) filter (where revision > 1 and status = 'active') as changed,
    count(*) filter (where status = 'withdrawn') as withdrawn,
    sum(amount_at_risk) filter (where status = 'active') as amount_at_risk
from publish.warning_revisions
group by business_date, rule;

-- Deliveries per day, unit and feed, and what became of them (no personal data).
create or replace view reporting.deliveries as
select unit, feed, mode, business_date, sequence, status, reason, rows_loaded, rows_quarantined,
       seen_at, loaded_at
from meta.deliveries;

-- Gate outcomes per business date (no diagnostics: they may quote values).
create or replace view reporting.gate_results as
select business_date, contract, check_path, check_name, outcome, verified_at
from meta.gate_results;

grant usage on schema reporting to mz_bi_reader;
grant select on all tables in schema reporting to mz_bi_reader;
grant execute on function reporting.mask_name(text) to mz_bi_reader;
