-- Auditors: identity and evidence of the warnings of the districts granted to them.
--
-- Row-level security sits on publish.warning_revisions, the append-only history of every warning
-- revision (never rebuilt). warnings.fct_warnings is not granted: dbt replaces it at every build
-- (drop … cascade), which would drop a policy or a view on it. A warning reaches auditors as
-- soon as it passed the gate and became a revision. The audit.* views are security_invoker, so
-- the policy applies to the auditor reading them.

create table if not exists meta.auditor_districts (
    login          text not null,           -- the auditor's login role
    district_code  text not null,
    granted_at     timestamptz not null default now(),
    granted_by     text not null default current_user,
    primary key (login, district_code)
);
alter table meta.auditor_districts enable row level security;
drop policy if exists own_rows on meta.auditor_districts;
create policy own_rows on meta.auditor_districts for select to mz_auditor
    using (login = current_user);
grant select on meta.auditor_districts to mz_auditor;

alter table publish.warning_revisions enable row level security;
drop policy if exists auditor_districts on publish.warning_revisions;
create policy auditor_districts on publish.warning_revisions for select to mz_auditor
    using (district_code in (select d.district_code from meta.auditor_districts d
                             where d.login = current_user));
grant select on publish.warning_revisions to mz_auditor;

-- Every revision of every warning of my districts.
create or replace view audit.warning_revisions with (security_invoker = true, security_barrier = true) as
select
    warning_id, revision, status, rule, rule_version, severity, program, case_ref,
    subject_type, subject,
    case when subject_type = 'person' then subject end as subject_id_number,
    case when subject_type = 'institution' then subject end as subject_institution_id,
    subject_name, district_code, period_start, period_end, months, amount_at_risk,
    handler_staff_id, approver_staff_id, evidence, business_date, created_at
from publish.warning_revisions;

-- Each warning as it stands now (its latest revision; status active or withdrawn).
create or replace view audit.warnings with (security_invoker = true) as
select distinct on (warning_id) *
from audit.warning_revisions
order by warning_id, revision desc;

-- The evidence of each warning's latest revision, one row per item, in order.
create or replace view audit.warning_evidence with (security_invoker = true) as
select
    w.warning_id, w.revision, w.rule, w.district_code, e.item_no::integer as item_no,
    e.item ->> 'feed' as feed, e.item ->> 'record_key' as record_key,
    e.item ->> 'field' as field, e.item ->> 'value' as value, e.item ->> 'note' as note,
    e.item
from audit.warnings w
cross join lateral jsonb_array_elements(w.evidence) with ordinality as e(item, item_no);

-- The districts granted to me.
create or replace view audit.my_districts with (security_invoker = true) as
select district_code, granted_at, granted_by from meta.auditor_districts;

grant usage on schema audit to mz_auditor;
grant select on all tables in schema audit to mz_auditor;
