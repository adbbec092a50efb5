-- The persons on each case, with a valid identity number: for dibao every member of the
-- household (not deleted) over [joined_date, left_date]; for every other programme the case's
-- beneficiary over [approved_date, terminated_date]. Used to name warning subjects and, by later
-- rules, to find a month's recipients (members(h, M) = dibao members during M).

with

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

    from {{ ref('stg_mz__dibao_members') }} as members
    inner join {{ ref('stg_mz__dibao_households') }} as households
        on members.household_id = households.household_id
    where members.id_number is not null

),

beneficiaries as (

    select
        cases.program,
        cases.case_ref,
        cases.beneficiary_id_number as id_number,
        cases.beneficiary_name as name,
        'beneficiary' as role,
        cases.approved_date as from_date,
        cases.terminated_date as to_date,
        cases.case_feed as feed,
        cases.case_record_key as record_key

    from {{ ref('int_cases_unioned') }} as cases
    where
        cases.program <> 'dibao'
        and cases.beneficiary_id_number is not null

)

select * from dibao_members
union all
select * from beneficiaries
