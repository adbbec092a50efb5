-- The recipients of every paid month (warning-rules.md): for dibao, members(h, M); for every other
-- programme, the payee. One row per paid month and recipient with a valid identity number.
-- recipient_amount is what a per-recipient rule puts at risk: dibao the share, others the amount.
-- eldercare_subsidy has no paid months (W14 judges claims); temp_assistance is here for W10/W11.

-- Incremental by case (macros/incremental_cases.sql, README "Incremental models"): a build
-- deletes and recomputes every row of the cases whose payments, case record or members
-- changed since the table's watermark.

{#- index on recipient_id_number: the rules look up the recipients of a few thousand persons
    (custody, public posts, duplicates, enterprise roles) by it -#}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['paid_month_key', 'recipient_id_number'],
        on_schema_change='fail',
        pre_hook=[
            "{{ capture_delivery_watermark(after=incremental_parents()) }}",
            "{{ delete_changed_cases('case_ref') }}",
        ],
        post_hook=[
            "{{ lookup_index('case_ref') }}",
            "{{ lookup_index('recipient_id_number') }}",
            "{{ unique_index(['paid_month_key', 'recipient_id_number']) }}",
            "{{ not_null_columns(['paid_month_key', 'recipient_id_number']) }}",
            "{{ accepted_values_check('recipient_role', ['member', 'payee']) }}",
            "{{ foreign_key('paid_month_key', ref('int_paid_months_aggregated'), 'paid_month_key') }}",
            "{{ store_delivery_watermark() }}",
        ],
    )
}}

with

member_months as (

    select * from {{ ref('int_dibao_member_months') }}
    where
        member_id_number is not null
        and {{ case_changed('case_ref') }}

),

other_paid_months as (

    select * from {{ ref('int_paid_months_aggregated') }}
    where
        program <> 'dibao'
        and payee_id_number is not null
        and {{ case_changed('case_ref') }}

),

cases as (

    select * from {{ ref('int_cases_unioned') }}
    where program <> 'dibao'

),

dibao_recipients as (

    select
        paid_month_key,
        program,
        case_ref,
        payee_id_number,
        pay_month,
        amount,
        payments,
        member_id_number as recipient_id_number,
        member_name as recipient_name,
        'member' as recipient_role,
        joined_date as recipient_from,
        left_date as recipient_to,
        member_feed as recipient_feed,
        member_record_key as recipient_record_key,
        n_members,
        share,
        share as recipient_amount

    from member_months

),

payee_recipients as (

    select
        other_paid_months.paid_month_key,
        other_paid_months.program,
        other_paid_months.case_ref,
        other_paid_months.payee_id_number,
        other_paid_months.pay_month,
        other_paid_months.amount,
        other_paid_months.payments,
        other_paid_months.payee_id_number as recipient_id_number,
        case
            when cases.beneficiary_id_number = other_paid_months.payee_id_number then cases.beneficiary_name
        end as recipient_name,
        'payee' as recipient_role,
        null::date as recipient_from,
        null::date as recipient_to,
        'mz_payment' as recipient_feed,
        'payment_id=' || (other_paid_months.payments -> 0 ->> 'payment_id') as recipient_record_key,
        null::integer as n_members,
        null::numeric(18, 2) as share,
        other_paid_months.amount as recipient_amount

    from other_paid_months
    left join cases
        on
            other_paid_months.program = cases.program
            and other_paid_months.case_ref = cases.case_ref

)

select * from dibao_recipients
union all
select * from payee_recipients
