-- The household-by-month facts of the 低保 rules (W04, W09), one row per paid dibao month
-- (household, payee, pay_month): members(h, M) and n(h, M), the share, the standard for M's year
-- and the household's area_type, the members' income in M (W04's person income, summed, and per
-- person = sum / n(h, M)), and the members' bank balances at the last day of the month before M
-- against 24 x standard x n(h, M) (W09).

-- Incremental by case (macros/incremental_cases.sql, README "Incremental models"): a build
-- deletes and recomputes every row of the households whose payments, case record or members, or
-- whose members' income or bank facts, changed since the table's watermark.

{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='paid_month_key',
        on_schema_change='fail',
        pre_hook=[
            "{{ capture_delivery_watermark(after=incremental_parents()) }}",
            "{{ delete_changed_cases('household_id', with_person_facts=true) }}",
        ],
        post_hook=[
            "{{ lookup_index('household_id') }}",
            "{{ unique_index('paid_month_key') }}",
            "{{ not_null_columns(['paid_month_key', 'household_id', 'n_members']) }}",
            "{{ foreign_key('paid_month_key', ref('int_paid_months_aggregated'), 'paid_month_key') }}",
            "{{ store_delivery_watermark() }}",
        ],
    )
}}

with

member_months as (

    select * from {{ ref('int_dibao_member_months') }}
    where {{ case_changed('case_ref', with_person_facts=true) }}

),

incomes as (

    select * from {{ ref('int_person_income_months') }}

),

balances as (

    select * from {{ ref('int_person_balances_month_end') }}

),

households as (

    select * from {{ ref('int_cases_unioned') }}
    where program = 'dibao'

),

standards as (

    select * from {{ ref('standards') }}
    where kind = 'dibao_standard'

),

member_facts as (

    select
        member_months.paid_month_key,
        member_months.case_ref,
        member_months.payee_id_number,
        member_months.pay_month,
        member_months.amount,
        member_months.payments,
        member_months.n_members,
        member_months.share,
        member_months.member_id_number,
        member_months.member_record_key,
        coalesce(incomes.income, 0) as member_income,
        incomes.sources as income_sources,
        coalesce(balances.balance_total, 0) as member_balance,
        balances.accounts as balance_accounts

    from member_months
    left join incomes
        on
            member_months.member_id_number = incomes.id_number
            and member_months.pay_month = incomes.income_month
    left join balances
        on
            member_months.member_id_number = balances.id_number
            and balances.as_of_date = (member_months.pay_month - interval '1 day')::date

),

household_months as (

    select
        paid_month_key,
        case_ref,
        payee_id_number,
        pay_month,
        min(amount) as amount,
        (array_agg(payments))[1] as payments,
        min(n_members) as n_members,
        min(share) as share,
        sum(member_income) as household_income,
        sum(member_balance) as household_balance,
        jsonb_agg(member_id_number order by member_record_key) as member_id_numbers,
        -- the members' evidence items, flattened into one array
        coalesce(
            jsonb_path_query_array(
                jsonb_agg(income_sources order by member_record_key) filter (where income_sources is not null),
                '$[*][*]'
            ),
            '[]'::jsonb
        ) as income_evidence,
        coalesce(
            jsonb_path_query_array(
                jsonb_agg(balance_accounts order by member_record_key) filter (where balance_accounts is not null),
                '$[*][*]'
            ),
            '[]'::jsonb
        ) as balance_evidence

    from member_facts
    group by paid_month_key, case_ref, payee_id_number, pay_month

)

select
    household_months.paid_month_key,
    household_months.case_ref as household_id,
    households.district_code,
    households.area_type,
    household_months.payee_id_number,
    household_months.pay_month,
    household_months.amount,
    household_months.payments,
    household_months.n_members,
    household_months.share,
    household_months.member_id_numbers,
    standards.value as dibao_standard,
    household_months.household_income::numeric(18, 2) as household_income,
    round(household_months.household_income / household_months.n_members, 2)::numeric(18, 2) as per_person_income,
    coalesce(
        household_months.household_income / household_months.n_members > standards.value, false
    ) as income_exceeds_standard,
    (household_months.pay_month - interval '1 day')::date as balance_as_of_date,
    household_months.household_balance::numeric(18, 2) as household_balance,
    (24 * standards.value * household_months.n_members)::numeric(18, 2) as deposit_limit,
    coalesce(
        household_months.household_balance > 24 * standards.value * household_months.n_members, false
    ) as deposits_exceed_limit,
    household_months.income_evidence,
    household_months.balance_evidence

from household_months
left join households
    on household_months.case_ref = households.case_ref
left join standards
    on
        households.area_type = standards.key
        and extract(year from household_months.pay_month) = standards.year
