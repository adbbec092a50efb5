-- Person income in month M as W04 defines it, for every person who is a member of a paid dibao
-- month M (the rule's scope; income of other persons is not needed):
--   the largest of (sum of rs_contribution.contribution_base for M with payer_type = employer;
--   sum of sw_income.收入额 for M; sum of rs_public_employee.monthly_salary over posts held during M),
--   plus rs_pension.amount for M where scheme = employee.
-- A flexible-employment self-payer's base and the residents' basic pension are not income.
-- sources: the records used, as evidence items.

with

member_months as (

    select distinct
        member_id_number as id_number,
        pay_month as income_month

    from {{ ref('int_dibao_member_months') }}
    where member_id_number is not null

),

contributions as (

    select * from {{ ref('stg_rs__contributions') }}
    where payer_type = 'employer'

),

taxable_incomes as (

    select * from {{ ref('stg_sw__income') }}

),

pensions as (

    select * from {{ ref('stg_rs__pensions') }}
    where scheme = 'employee'

),

posts as (

    select * from {{ ref('int_person_public_employment') }}

),

facts as (

    select
        member_months.id_number,
        member_months.income_month,
        'employer_contribution_base' as component,
        contributions.contribution_base as amount,
        {{ evidence_item('contributions.feed', 'contributions.record_key', "'contribution_base'",
            yuan('contributions.contribution_base'), "'employer contribution base for the month'") }} as item

    from member_months
    inner join contributions
        on
            member_months.id_number = contributions.id_number
            and member_months.income_month = contributions.contribution_month

    union all

    select
        member_months.id_number,
        member_months.income_month,
        'taxable_income' as component,
        taxable_incomes.income_amount as amount,
        {{ evidence_item('taxable_incomes.feed', 'taxable_incomes.record_key', "'收入额'",
            yuan('taxable_incomes.income_amount'), "'income reported for tax for the month'") }} as item

    from member_months
    inner join taxable_incomes
        on
            member_months.id_number = taxable_incomes.id_number
            and member_months.income_month = taxable_incomes.income_month

    union all

    select
        member_months.id_number,
        member_months.income_month,
        'public_salary' as component,
        posts.monthly_salary as amount,
        {{ evidence_item('posts.feed', 'posts.record_key', "'monthly_salary'",
            yuan('posts.monthly_salary'), "'public post held during the month'") }} as item

    from member_months
    inner join posts
        on
            member_months.id_number = posts.id_number
            and posts.from_date <= (member_months.income_month + interval '1 month - 1 day')::date
            and (posts.to_date is null or member_months.income_month <= posts.to_date)

    union all

    select
        member_months.id_number,
        member_months.income_month,
        'employee_pension' as component,
        pensions.amount,
        {{ evidence_item('pensions.feed', 'pensions.record_key', "'amount'",
            yuan('pensions.amount'), "'employee pension for the month'") }} as item

    from member_months
    inner join pensions
        on
            member_months.id_number = pensions.id_number
            and member_months.income_month = pensions.pay_month

),

components as (

    select
        id_number,
        income_month,
        coalesce(sum(amount) filter (where component = 'employer_contribution_base'), 0) as employer_contribution_base,
        coalesce(sum(amount) filter (where component = 'taxable_income'), 0) as taxable_income,
        coalesce(sum(amount) filter (where component = 'public_salary'), 0) as public_salary,
        coalesce(sum(amount) filter (where component = 'employee_pension'), 0) as employee_pension,
        jsonb_agg(item order by component, item ->> 'record_key') as sources

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
