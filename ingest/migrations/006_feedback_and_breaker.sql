-- Verification feedback and the circuit breaker (ingest/feedback.py, ingest/breaker.py).
--
-- Auditors read the verifiers' outcomes of the warnings they may see, and each rule's precision
-- over those warnings (audit.rule_precision: security_invoker, so only their districts count).
-- The release of a held rule records, besides the name given with --by, the database role
-- that ran it (recorded_by).

alter table publish.breaker_releases add column if not exists recorded_by text;
alter table publish.breaker_releases alter column recorded_by set default current_user;
alter table publish.breaker_checks add column if not exists recorded_by text;
alter table publish.breaker_checks alter column recorded_by set default current_user;
alter table publish.verification_history add column if not exists recorded_by text;
alter table publish.verification_history alter column recorded_by set default current_user;

grant select on publish.verifications to mz_auditor;

-- The verification state of each warning of my districts.
create or replace view audit.warning_verifications with (security_invoker = true) as
select w.warning_id, w.rule, w.district_code, w.status as warning_status,
       coalesce(v.state, 'not_reported') as verification, v.note, v.updated_at
from audit.warnings w
left join publish.verifications v using (warning_id);

-- Per rule, district and month first raised: outcomes and precision = confirmed / decided.
create or replace view audit.rule_precision with (security_invoker = true) as
with raised as (
    select warning_id, min(business_date) as first_business_date
    from audit.warning_revisions group by warning_id
)
select
    w.rule,
    w.district_code,
    date_trunc('month', r.first_business_date)::date as month,
    count(*)::integer as warnings,
    count(*) filter (where v.state = 'confirmed')::integer as confirmed,
    count(*) filter (where v.state = 'dismissed')::integer as dismissed,
    count(*) filter (where v.state in ('pending', 'assigned') or v.state is null)::integer as undecided,
    round(count(*) filter (where v.state = 'confirmed')::numeric
          / nullif(count(*) filter (where v.state in ('confirmed', 'dismissed')), 0), 4) as precision,
    coalesce(sum(w.amount_at_risk) filter (where v.state = 'confirmed'), 0)::numeric(18, 2) as amount_confirmed
from audit.warnings w
join raised r using (warning_id)
left join publish.verifications v using (warning_id)
group by 1, 2, 3;

grant select on audit.warning_verifications, audit.rule_precision to mz_auditor;

-- Precision and breaker outcomes for dashboards (no personal data).
create or replace view reporting.rule_precision as
select
    w.rule, w.district_code,
    date_trunc('month', w.first_business_date)::date as month,
    count(*) as warnings,
    count(*) filter (where v.state = 'confirmed') as confirmed,
    count(*) filter (where v.state = 'dismissed') as dismissed,
    round(count(*) filter (where v.state = 'confirmed')::numeric
          / nullif(count(*) filter (where v.state in ('confirmed', 'dismissed')), 0), 4) as precision
from reporting.warnings w
left join publish.verifications v using (warning_id)
group by 1, 2, 3;

create or replace view reporting.breaker_checks as
select business_date, rule, today_count, recent_level, history_days, tripped, held_rows, checked_at
from publish.breaker_checks;

grant select on reporting.rule_precision, reporting.breaker_checks to mz_bi_reader;
