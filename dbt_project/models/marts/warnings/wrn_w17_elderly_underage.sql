-- W17 elderly_underage 高龄不符 (warning-rules.md): a paid elderly_allowance month M is flagged when
-- the payee's age on M_start, from the birth date in the identity number, is under 80.
-- Subject the payee; amount_at_risk: the amount.

with

paid_months as (

    select
        *,
        to_date(substr(payee_id_number, 7, 8), 'YYYYMMDD') as birth_date

    from {{ ref('int_paid_months_aggregated') }}
    where
        program = 'elderly_allowance'
        and payee_id_number is not null

),

cases as (

    select * from {{ ref('int_cases_unioned') }}
    where program = 'elderly_allowance'

),

flagged as (

    select
        paid_months.paid_month_key,
        paid_months.program,
        paid_months.case_ref,
        paid_months.payee_id_number as subject_id_number,
        cases.beneficiary_name as subject_name,
        paid_months.pay_month,
        paid_months.amount as amount_at_risk,
        jsonb_build_array(
            {{ evidence_item("'mz_payment'", "'payment_id=' || (paid_months.payments -> 0 ->> 'payment_id')",
                "'payee_id_number'", 'paid_months.payee_id_number',
                "'born ' || " ~ iso_date('paid_months.birth_date') ~ " || ': aged '
                || extract(year from age(paid_months.pay_month, paid_months.birth_date))::integer
                || ' on ' || " ~ iso_date('paid_months.pay_month') ~ " || ', under 80'") }}
        ) as facts,
        paid_months.payments

    from paid_months
    left join cases
        on paid_months.case_ref = cases.case_ref
    where age(paid_months.pay_month, paid_months.birth_date) < interval '80 years'

),

{{ rule_warnings('W17') }}
