-- The persons on each case, with a valid identity number: for dibao every member of the
-- household (not deleted) over [joined_date, left_date]; for every other programme the case's
-- beneficiary over [approved_date, terminated_date]. Used to name warning subjects and, by later
-- rules, to find a month's recipients (members(h, M) = dibao members during M).

with

members as (

    select * from {{ ref('stg_mz__dibao_members') }}

),

-- Two import CTEs of the same table, each used once, so that PostgreSQL inlines them and plans
-- with the table's statistics (a CTE used twice is materialised and estimated blindly).
dibao_cases as (

    select * from {{ ref('int_cases_unioned') }}
    where program = 'dibao'

),

other_cases as (

    select * from {{ ref('int_cases_unioned') }}
    where program <> 'dibao'

),

dibao_members as (

    select
        'dibao' as program,
        members.household_id as case_ref,
        members.id_number,
        members.name,
        members.relation as role,
        members.joined_date as from_date,
        members.left_date as to_date,
        members.feed,
        members.record_key

    from members
    -- the household must exist (not withdrawn): checked against the analysed int_cases_unioned
    -- table rather than the households view (two staging views give the planner row estimates
    -- far too low, and a nested loop over them is quadratic)
    inner join dibao_cases
        on members.household_id = dibao_cases.case_ref
    where members.id_number is not null

),

beneficiaries as (

    select
        program,
        case_ref,
        beneficiary_id_number as id_number,
        beneficiary_name as name,
        'beneficiary' as role,
        approved_date as from_date,
        terminated_date as to_date,
        case_feed as feed,
        case_record_key as record_key

    from other_cases
    where beneficiary_id_number is not null

)

select * from dibao_members
union all
select * from beneficiaries
