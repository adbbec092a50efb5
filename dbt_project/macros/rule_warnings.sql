{#-
  The tail of a per-paid-month rule model (W02–W13, W15–W17): turns the model's CTE `flagged`
  into one warning per (program, case_ref, subject), in the columns fct_warnings reads.

  `flagged` must have one row per flagged paid month (paid_month_key) and subject, with:
    paid_month_key, program, case_ref, subject_id_number, subject_name, pay_month,
    amount_at_risk (what the rule puts at risk for that paid month), facts (jsonb array of
    evidence items that made the rule hold that month), payments (int_paid_months_aggregated.payments).
  period_start/period_end: first/last flagged month; months: distinct flagged months;
  amount_at_risk: the sum over the flagged paid months. Evidence (at most 50 items): the distinct
  facts, in the order of the month they first appear, then the payments of the first and of the
  last flagged month. District and staff come from the case (int_cases_unioned).
  Use after the model's CTEs, as: `{{ rule_warnings('W02') }}` (it starts with a comma-less CTE
  list continuation, so the preceding CTE must end with "),").
-#}
{% macro rule_warnings(rule) -%}
rule_cases as (

    select * from {{ ref('int_cases_unioned') }}

),

warnings as (

    select
        program,
        case_ref,
        subject_id_number,
        min(subject_name) as subject_name,
        min(pay_month) as period_start,
        max(pay_month) as period_end,
        count(distinct pay_month)::integer as months,
        sum(amount_at_risk)::numeric(18, 2) as amount_at_risk

    from flagged
    group by program, case_ref, subject_id_number

),

fact_items as (

    select
        flagged.program,
        flagged.case_ref,
        flagged.subject_id_number,
        1 as section,
        min(flagged.pay_month) as item_month,
        min(facts.ordinality) as item_order,
        facts.item

    from flagged
    cross join lateral jsonb_array_elements(coalesce(flagged.facts, '[]'::jsonb)) with ordinality as facts (item, ordinality)
    group by flagged.program, flagged.case_ref, flagged.subject_id_number, facts.item

),

payment_items as (

    select
        flagged.program,
        flagged.case_ref,
        flagged.subject_id_number,
        2 as section,
        flagged.pay_month as item_month,
        payments.ordinality as item_order,
        {{ evidence_item(
            "'mz_payment'",
            "'payment_id=' || (payments.payment ->> 'payment_id')",
            "'pay_month'",
            iso_date('flagged.pay_month'),
            "case when warnings.months = 1 then 'the only flagged month'
                when flagged.pay_month = warnings.period_start then 'first flagged month'
                else 'last flagged month' end
            || ': paid ' || " ~ yuan("(payments.payment ->> 'amount')::numeric") ~ "
            || ' (' || flagged.program || ' ' || flagged.case_ref || ')'"
        ) }} as item

    from flagged
    inner join warnings
        on
            flagged.program = warnings.program
            and flagged.case_ref = warnings.case_ref
            and flagged.subject_id_number = warnings.subject_id_number
            and flagged.pay_month in (warnings.period_start, warnings.period_end)
    cross join lateral jsonb_array_elements(coalesce(flagged.payments, '[]'::jsonb)) with ordinality as payments (payment, ordinality)

),

evidence_items as (

    select
        items.*,
        row_number() over (
            partition by items.program, items.case_ref, items.subject_id_number
            order by items.section, items.item_month, items.item_order, items.item::text
        ) as item_rank

    from (
        select * from fact_items
        union all
        select * from payment_items
    ) as items

),

evidence as (

    select
        program,
        case_ref,
        subject_id_number,
        jsonb_agg(item order by item_rank) as evidence

    from evidence_items
    where item_rank <= 50
    group by program, case_ref, subject_id_number

)

select
    '{{ rule }}' as rule,
    warnings.program,
    warnings.case_ref,
    'person' as subject_type,
    warnings.subject_id_number,
    null::text as subject_institution_id,
    warnings.subject_name,
    rule_cases.district_code,
    warnings.period_start,
    warnings.period_end,
    warnings.months,
    warnings.amount_at_risk,
    rule_cases.handler_staff_id,
    rule_cases.approver_staff_id,
    evidence.evidence

from warnings
inner join evidence
    on
        warnings.program = evidence.program
        and warnings.case_ref = evidence.case_ref
        and warnings.subject_id_number = evidence.subject_id_number
left join rule_cases
    on
        warnings.program = rule_cases.program
        and warnings.case_ref = rule_cases.case_ref
{%- endmacro %}
