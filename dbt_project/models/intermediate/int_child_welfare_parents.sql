-- The named parents of every child-welfare case (W15): one row per case and named parent with a
-- valid identity number (an unnamed parent is no row; an invalid number matches nothing and is
-- in quality.dq_invalid_id_numbers). A table (analysed), for the planner's sake.

with

father_cases as (

    select * from {{ ref('stg_mz__child_welfare_cases') }}
    where father_id_number is not null

),

mother_cases as (

    select * from {{ ref('stg_mz__child_welfare_cases') }}
    where mother_id_number is not null

)

select
    case_id,
    program,
    child_id_number,
    child_name,
    'father' as parent_role,
    father_id_number as parent_id_number,
    feed,
    record_key

from father_cases

union all

select
    case_id,
    program,
    child_id_number,
    child_name,
    'mother' as parent_role,
    mother_id_number as parent_id_number,
    feed,
    record_key

from mother_cases
