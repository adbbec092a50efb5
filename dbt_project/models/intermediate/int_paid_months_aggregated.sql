-- The spec's paid months: one row per (program, case_ref, payee, pay_month) for which at least
-- one mz_payment, in its current version, has status = paid; amount is the sum of those rows.
-- A payment later set to reversed counts no more (its current version is not paid). Payments of
-- a case that is not in int_cases_unioned (withdrawn, or unknown) make no paid months.
-- payee_id_number is the normalised number; when it is invalid it is null and the raw value is
-- kept in payee_invalid_value (the paid month still exists; it matches no person).
-- payments: the month's paid payments for evidence, a jsonb array of {payment_id, amount} by
-- payment_id (jsonb, not arrays: dbt unit-test fixtures cannot cast to array types); a payment's
-- record_key is 'payment_id=' || payment_id.

-- Incremental by case (macros/incremental_cases.sql, README "Incremental models"): a build
-- deletes and recomputes every row of the cases whose payments, case record or members
-- changed since the table's watermark.

{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='paid_month_key',
        on_schema_change='fail',
        pre_hook=[
            "{{ capture_delivery_watermark(after=incremental_parents()) }}",
            "{{ delete_changed_cases('case_ref') }}",
        ],
        post_hook=[
            "{{ lookup_index('case_ref') }}",
            "{{ unique_index('paid_month_key') }}",
            "{{ not_null_columns(['paid_month_key', 'program', 'case_ref', 'pay_month', 'amount']) }}",
            "{{ store_delivery_watermark() }}",
        ],
    )
}}

with

payments as (

    select
        payment_id,
        program,
        case_ref,
        payee_id_number,
        case when payee_id_number is null then coalesce(payee_id_number_raw, '') end as payee_invalid_value,
        date_trunc('month', pay_month)::date as pay_month,
        amount

    from {{ ref('stg_mz__payments') }}
    where
        status = 'paid'
        and pay_month is not null
        and {{ case_changed('case_ref') }}

),

cases as (

    select
        program,
        case_ref

    from {{ ref('int_cases_unioned') }}
    where {{ case_changed('case_ref') }}

)

select
    payments.program
    || '|' || payments.case_ref
    || '|' || coalesce(payments.payee_id_number, 'invalid:' || payments.payee_invalid_value)
    || '|' || to_char(payments.pay_month, 'YYYY-MM-DD') as paid_month_key,
    payments.program,
    payments.case_ref,
    payments.payee_id_number,
    payments.payee_invalid_value,
    payments.pay_month,
    sum(coalesce(payments.amount, 0))::numeric(18, 2) as amount,
    count(*)::integer as payment_count,
    jsonb_agg(
        jsonb_build_object('payment_id', payments.payment_id, 'amount', payments.amount)
        order by payments.payment_id
    ) as payments

from payments
inner join cases
    on
        payments.program = cases.program
        and payments.case_ref = cases.case_ref
group by
    payments.program,
    payments.case_ref,
    payments.payee_id_number,
    payments.payee_invalid_value,
    payments.pay_month
