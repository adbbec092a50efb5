-- W01 deceased_payee 死亡保 (warning-rules.md): a paid month M of any programme but
-- temp_assistance and eldercare_subsidy is flagged when the payee's death date < M_start.
-- One warning per (program, case_ref, payee); amount_at_risk = the flagged months' amounts.
-- Evidence: the payee's death facts (earliest first), then the payments of the first and of the
-- last flagged month; at most 50 items.

with

paid_months as (

    select * from {{ ref('int_paid_months_aggregated') }}
    where program not in ('temp_assistance', 'eldercare_subsidy')

),

-- inlined (not materialized): the planner then sees the table, hashes its 38 k deaths and
-- streams the paid months past them (as a CTE it hashed 3.1 M paid months instead: 4.5 s -> 1.7 s)
death_dates as not materialized (

    select * from {{ ref('int_person_death_dates') }}

),

cases as (

    select * from {{ ref('int_cases_unioned') }}

),

case_persons as (

    select * from {{ ref('int_case_persons') }}

),

flagged_months as (

    select
        paid_months.program,
        paid_months.case_ref,
        paid_months.payee_id_number,
        paid_months.pay_month,
        paid_months.amount,
        paid_months.payments,
        death_dates.death_date

    from paid_months
    inner join death_dates
        on paid_months.payee_id_number = death_dates.id_number
    where death_dates.death_date < paid_months.pay_month

),

warnings as (

    select
        program,
        case_ref,
        payee_id_number,
        min(pay_month) as period_start,
        max(pay_month) as period_end,
        count(*)::integer as months,
        sum(amount)::numeric(18, 2) as amount_at_risk

    from flagged_months
    group by program, case_ref, payee_id_number

),

death_evidence as (

    select
        warnings.program,
        warnings.case_ref,
        warnings.payee_id_number,
        1 as section,
        facts.ordinality as item_order,
        facts.item

    from warnings
    inner join death_dates
        on warnings.payee_id_number = death_dates.id_number
    cross join lateral jsonb_array_elements(death_dates.death_facts) with ordinality as facts (item, ordinality)

),

payment_evidence as (

    select
        flagged_months.program,
        flagged_months.case_ref,
        flagged_months.payee_id_number,
        case when flagged_months.pay_month = warnings.period_start then 2 else 3 end as section,
        payments.ordinality as item_order,
        jsonb_build_object(
            'feed', 'mz_payment',
            'record_key', 'payment_id=' || (payments.payment ->> 'payment_id'),
            'field', 'pay_month',
            'value', to_char(flagged_months.pay_month, 'YYYY-MM-DD'),
            'note', case
                when warnings.months = 1 then 'the only flagged month'
                when flagged_months.pay_month = warnings.period_start then 'first flagged month'
                else 'last flagged month'
            end
            || ': paid ' || to_char((payments.payment ->> 'amount')::numeric, 'FM999999999999990.00')
            || ' (' || flagged_months.program || ' ' || flagged_months.case_ref || ')'
            || ' for a payee dead since ' || to_char(flagged_months.death_date, 'YYYY-MM-DD')
        ) as item

    from flagged_months
    inner join warnings
        on
            flagged_months.program = warnings.program
            and flagged_months.case_ref = warnings.case_ref
            and flagged_months.payee_id_number = warnings.payee_id_number
            and flagged_months.pay_month in (warnings.period_start, warnings.period_end)
    cross join lateral jsonb_array_elements(flagged_months.payments) with ordinality as payments (payment, ordinality)

),

evidence_items as (

    select
        *,
        row_number() over (
            partition by program, case_ref, payee_id_number
            order by section, item_order
        ) as item_rank

    from (
        select * from death_evidence
        union all
        select * from payment_evidence
    ) as items

),

evidence as (

    select
        program,
        case_ref,
        payee_id_number,
        jsonb_agg(item order by item_rank) as evidence

    from evidence_items
    where item_rank <= 50
    group by program, case_ref, payee_id_number

)

select
    'W01' as rule,
    warnings.program,
    warnings.case_ref,
    'person' as subject_type,
    warnings.payee_id_number as subject_id_number,
    null::text as subject_institution_id,
    coalesce(case_persons.name, death_dates.name) as subject_name,
    cases.district_code,
    warnings.period_start,
    warnings.period_end,
    warnings.months,
    warnings.amount_at_risk,
    cases.handler_staff_id,
    cases.approver_staff_id,
    death_dates.death_date,
    evidence.evidence

from warnings
inner join death_dates
    on warnings.payee_id_number = death_dates.id_number
inner join evidence
    on
        warnings.program = evidence.program
        and warnings.case_ref = evidence.case_ref
        and warnings.payee_id_number = evidence.payee_id_number
left join cases
    on
        warnings.program = cases.program
        and warnings.case_ref = cases.case_ref
left join case_persons
    on
        warnings.program = case_persons.program
        and warnings.case_ref = case_persons.case_ref
        and warnings.payee_id_number = case_persons.id_number
