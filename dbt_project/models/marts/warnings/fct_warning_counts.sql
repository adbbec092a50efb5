-- Counts of today's warnings per rule, district and month, for the bureau's dashboard. A warning
-- counts in every month of its period (period_start .. period_end); flagged_warnings is the
-- number of warnings whose period covers the month, amount_at_risk their total amount (each
-- warning's whole amount, counted once, in its first month: first_month_amount_at_risk).

with

warnings as (

    select * from {{ ref('fct_warnings') }}

),

warning_months as (

    select
        warnings.rule,
        warnings.severity,
        warnings.district_code,
        warnings.amount_at_risk,
        warnings.period_start,
        months.month::date as month

    from warnings
    cross join lateral generate_series(warnings.period_start, warnings.period_end, interval '1 month') as months (month)

)

select
    rule,
    district_code,
    month,
    count(*)::integer as warnings,
    count(*) filter (where severity = 'high')::integer as high_warnings,
    count(*) filter (where month = period_start)::integer as new_warnings,
    coalesce(sum(amount_at_risk) filter (where month = period_start), 0)::numeric(18, 2)
        as first_month_amount_at_risk

from warning_months
group by rule, district_code, month
