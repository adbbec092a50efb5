-- members(h, M) of every paid dibao month (warning-rules.md): one row per paid month
-- (household, payee, pay_month) and mz_dibao_member row of the household, not deleted, whose
-- [joined_date, left_date] is during M (a null joined_date counts as "since always").
-- n_members = n(h, M) counts every such member row, including members whose identity number is
-- invalid (they are members; they just match nothing else); share = amount / n(h, M), rounded
-- to 0.01. member_id_number is null for an invalid number.

-- Incremental by case (macros/incremental_cases.sql, README "Incremental models"): a build
-- deletes and recomputes every row of the cases whose payments, case record or members
-- changed since the table's watermark.

{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['paid_month_key', 'member_record_key'],
        on_schema_change='fail',
        pre_hook=[
            "{{ capture_delivery_watermark(after=incremental_parents()) }}",
            "{{ delete_changed_cases('case_ref') }}",
        ],
        post_hook=[
            "{{ lookup_index('case_ref') }}",
            "{{ lookup_index('member_id_number') }}",
            "{{ lookup_index('paid_month_key') }}",
            "{{ not_null_columns(['paid_month_key', 'member_record_key', 'n_members']) }}",
            "{{ foreign_key('paid_month_key', ref('int_paid_months_aggregated'), 'paid_month_key') }}",
            "{{ store_delivery_watermark() }}",
        ],
    )
}}

with

paid_months as (

    select * from {{ ref('int_paid_months_aggregated') }}
    where
        program = 'dibao'
        and {{ case_changed('case_ref') }}

),

members as (

    select * from {{ ref('stg_mz__dibao_members') }}
    where {{ case_changed('household_id') }}

),

member_months as (

    select
        paid_months.paid_month_key,
        paid_months.program,
        paid_months.case_ref,
        paid_months.payee_id_number,
        paid_months.pay_month,
        paid_months.amount,
        paid_months.payments,
        members.id_number as member_id_number,
        members.id_number_raw as member_id_number_raw,
        members.name as member_name,
        members.relation,
        members.joined_date,
        members.left_date,
        members.feed as member_feed,
        members.record_key as member_record_key,
        count(*) over (partition by paid_months.paid_month_key) as n_members

    from paid_months
    inner join members
        on
            paid_months.case_ref = members.household_id
            and (
                members.joined_date is null
                or members.joined_date <= (paid_months.pay_month + interval '1 month - 1 day')::date
            )
            and (members.left_date is null or paid_months.pay_month <= members.left_date)

)

select
    paid_month_key,
    program,
    case_ref,
    payee_id_number,
    pay_month,
    amount,
    payments,
    member_id_number,
    member_id_number_raw,
    member_name,
    relation,
    joined_date,
    left_date,
    member_feed,
    member_record_key,
    n_members::integer as n_members,
    round(amount / n_members, 2)::numeric(18, 2) as share,
    coalesce(member_id_number = payee_id_number, false) as is_payee

from member_months
