-- The unified person view (the seed's "one database"): one row per person (normalised identity
-- number) known to any civil-affairs database or partner feed, with what the feeds say about
-- them: birth date and sex from the number, hukou, death date and its sources, custody,
-- vehicles, property, enterprise roles, public employment, income, deposits, and the
-- programmes received. Counts and latest facts; the detail is in the int_person_* models.

with

case_persons as (

    select * from {{ ref('int_case_persons') }}

),

hukou as (

    select * from {{ ref('int_person_hukou') }}

),

deaths as (

    select * from {{ ref('int_person_death_dates') }}

),

custody as (

    select * from {{ ref('int_person_custody_intervals') }}

),

vehicles as (

    select * from {{ ref('int_person_vehicles') }}

),

properties as (

    select * from {{ ref('int_person_properties') }}

),

roles as (

    select * from {{ ref('int_person_enterprise_roles') }}

),

posts as (

    select * from {{ ref('int_person_public_employment') }}

),

-- read twice below (the latest month, then its row): inlined, not materialized
incomes as not materialized (

    select * from {{ ref('int_person_income_months') }}

),

-- the volume table (a row per person and month-end): read twice below (the latest date, then its
-- row), inlined, not materialized; the persons come from the latest dates, one row per person
balances as not materialized (

    select * from {{ ref('int_person_balances_month_end') }}

),

latest_balance_dates as (

    select
        id_number,
        max(as_of_date) as as_of_date

    from balances
    group by id_number

),

persons as (

    select id_number from case_persons
    union
    select id_number from hukou
    union
    select id_number from deaths
    union
    select id_number from custody
    union
    select id_number from vehicles
    union
    select id_number from properties
    union
    select id_number from roles
    union
    select id_number from posts
    union
    select id_number from latest_balance_dates

),

programmes as (

    select
        id_number,
        min(name) as name,
        string_agg(distinct program, ', ' order by program) as programmes,
        count(distinct program || '|' || case_ref)::integer as case_count

    from case_persons
    group by id_number

),

custody_summary as (

    select
        id_number,
        count(*)::integer as custody_intervals,
        bool_or(to_date is null) as in_custody_open_interval

    from custody
    group by id_number

),

vehicle_summary as (

    select
        id_number,
        count(*) filter (where to_date is null)::integer as vehicles_owned_now,
        count(*)::integer as vehicle_registrations

    from vehicles
    group by id_number

),

property_summary as (

    select
        id_number,
        count(distinct cert_no) filter (where to_date is null)::integer as properties_held_now,
        count(distinct cert_no)::integer as property_certificates

    from properties
    group by id_number

),

role_summary as (

    select
        id_number,
        count(*)::integer as enterprise_roles

    from roles
    group by id_number

),

post_summary as (

    select
        id_number,
        count(*)::integer as public_posts,
        bool_or(to_date is null) as public_post_open

    from posts
    group by id_number

),

-- the latest month's row per person: the latest month by a hash aggregate, then its row by a hash
-- join (both tables are unique on (id_number, month) and the month is never null), instead of
-- sorting every person month
latest_income_months as (

    select
        id_number,
        max(income_month) as income_month

    from incomes
    group by id_number

),

income_summary as (

    select
        incomes.id_number,
        incomes.income_month as latest_income_month,
        incomes.income as latest_income

    from incomes
    inner join latest_income_months
        on
            incomes.id_number = latest_income_months.id_number
            and incomes.income_month = latest_income_months.income_month

),

balance_summary as (

    select
        balances.id_number,
        balances.as_of_date as latest_balance_date,
        balances.balance_total as latest_balance

    from balances
    inner join latest_balance_dates
        on
            balances.id_number = latest_balance_dates.id_number
            and balances.as_of_date = latest_balance_dates.as_of_date

)

select
    persons.id_number,
    coalesce(hukou.name, programmes.name, deaths.name) as name,
    to_date(substr(persons.id_number, 7, 8), 'YYYYMMDD') as birth_date,
    case when substr(persons.id_number, 17, 1)::integer % 2 = 1 then 'male' else 'female' end as sex,
    hukou.hukou_district_code,
    hukou.household_no,
    hukou.relation_to_head,
    hukou.status as hukou_status,
    hukou.status_date as hukou_status_date,
    deaths.death_date,
    deaths.death_date_feed,
    coalesce(deaths.death_fact_count, 0) as death_fact_count,
    deaths.death_facts,
    coalesce(custody_summary.custody_intervals, 0) as custody_intervals,
    coalesce(custody_summary.in_custody_open_interval, false) as in_custody_open_interval,
    coalesce(vehicle_summary.vehicles_owned_now, 0) as vehicles_owned_now,
    coalesce(vehicle_summary.vehicle_registrations, 0) as vehicle_registrations,
    coalesce(property_summary.properties_held_now, 0) as properties_held_now,
    coalesce(property_summary.property_certificates, 0) as property_certificates,
    coalesce(role_summary.enterprise_roles, 0) as enterprise_roles,
    coalesce(post_summary.public_posts, 0) as public_posts,
    coalesce(post_summary.public_post_open, false) as public_post_open,
    income_summary.latest_income_month,
    income_summary.latest_income,
    balance_summary.latest_balance_date,
    balance_summary.latest_balance,
    programmes.programmes,
    coalesce(programmes.case_count, 0) as case_count

from persons
left join hukou on persons.id_number = hukou.id_number
left join deaths on persons.id_number = deaths.id_number
left join programmes on persons.id_number = programmes.id_number
left join custody_summary on persons.id_number = custody_summary.id_number
left join vehicle_summary on persons.id_number = vehicle_summary.id_number
left join property_summary on persons.id_number = property_summary.id_number
left join role_summary on persons.id_number = role_summary.id_number
left join post_summary on persons.id_number = post_summary.id_number
left join income_summary on persons.id_number = income_summary.id_number
left join balance_summary on persons.id_number = balance_summary.id_number
