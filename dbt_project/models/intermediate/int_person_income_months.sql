-- Person income in month M as W04 defines it, for every person who is a member of a paid dibao
-- month M (the rule's scope; income of other persons is not needed):
--   the largest of (sum of rs_contribution.contribution_base for M with payer_type = employer;
--   sum of sw_income.收入额 for M; sum of rs_public_employee.monthly_salary over posts held during M),
--   plus rs_pension.amount for M where scheme = employee.
-- A flexible-employment self-payer's base and the residents' basic pension are not income.
-- sources: the records used, as evidence items.

-- Incremental by (id_number, income_month) (macros/incremental_persons.sql): a build deletes and
-- recomputes every month of the persons with a new income fact since the table's watermark,
-- deletes the months that are no longer member months, and selects the member months of the
-- cases changed since the watermark.

{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['id_number', 'income_month'],
        on_schema_change='fail',
        pre_hook=[
            "{{ capture_delivery_watermark(after=incremental_parents()) }}",
            "{{ delete_changed_incomes() }}",
        ],
        post_hook=[
            "{{ unique_index(['id_number', 'income_month']) }}",
            "{{ not_null_columns(['id_number', 'income_month', 'income']) }}",
            "{{ store_delivery_watermark() }}",
        ],
    )
}}

with

member_months as (

    select distinct
        member_id_number as id_number,
        pay_month as income_month

    from {{ ref('int_dibao_member_months') }}
    where
        member_id_number is not null
        and {{ income_member_month_changed() }}

),

-- the monthly income facts of every person, one union with the source they come from
monthly_facts as (

    select
        id_number,
        contribution_month as income_month,
        'employer_contribution_base' as income_source,
        contribution_base as amount,
        {{ evidence_item('feed', 'record_key', "'contribution_base'", yuan('contribution_base'),
            "'employer contribution base for the month'") }} as item

    from {{ ref('stg_rs__contributions') }}
    where
        payer_type = 'employer'
        and {{ income_persons_only('id_number') }}

    union all

    select
        id_number,
        income_month,
        'taxable_income' as income_source,
        income_amount as amount,
        {{ evidence_item('feed', 'record_key', "'收入额'", yuan('income_amount'),
            "'income reported for tax for the month'") }} as item

    from {{ ref('stg_sw__income') }}
    where {{ income_persons_only('id_number') }}

    union all

    select
        id_number,
        pay_month as income_month,
        'employee_pension' as income_source,
        amount,
        {{ evidence_item('feed', 'record_key', "'amount'", yuan('amount'),
            "'employee pension for the month'") }} as item

    from {{ ref('stg_rs__pensions') }}
    where
        scheme = 'employee'
        and {{ income_persons_only('id_number') }}

),

posts as (

    select * from {{ ref('int_person_public_employment') }}
    where {{ income_persons_only('id_number') }}

),

facts as (

    select
        member_months.id_number,
        member_months.income_month,
        monthly_facts.income_source,
        monthly_facts.amount,
        monthly_facts.item

    from member_months
    inner join monthly_facts
        on
            member_months.id_number = monthly_facts.id_number
            and member_months.income_month = monthly_facts.income_month

    union all

    -- a public post's salary counts in every month the post is held during
    select
        member_months.id_number,
        member_months.income_month,
        'public_salary' as income_source,
        posts.monthly_salary as amount,
        {{ evidence_item('posts.feed', 'posts.record_key', "'monthly_salary'",
            yuan('posts.monthly_salary'), "'public post held during the month'") }} as item

    from member_months
    inner join posts
        on
            member_months.id_number = posts.id_number
            and posts.from_date <= (member_months.income_month + interval '1 month - 1 day')::date
            and (posts.to_date is null or member_months.income_month <= posts.to_date)

),

components as (

    select
        id_number,
        income_month,
        coalesce(
            sum(amount) filter (where income_source = 'employer_contribution_base'), 0
        ) as employer_contribution_base,
        coalesce(sum(amount) filter (where income_source = 'taxable_income'), 0) as taxable_income,
        coalesce(sum(amount) filter (where income_source = 'public_salary'), 0) as public_salary,
        coalesce(sum(amount) filter (where income_source = 'employee_pension'), 0) as employee_pension,
        jsonb_agg(item order by income_source, item ->> 'record_key') as sources

    from facts
    group by id_number, income_month

)

select
    id_number,
    income_month,
    employer_contribution_base::numeric(18, 2) as employer_contribution_base,
    taxable_income::numeric(18, 2) as taxable_income,
    public_salary::numeric(18, 2) as public_salary,
    employee_pension::numeric(18, 2) as employee_pension,
    (greatest(employer_contribution_base, taxable_income, public_salary) + employee_pension)::numeric(18, 2)
        as income,
    sources

from components
