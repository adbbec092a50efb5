{{ config(materialized='view') }}

-- Marriage registrations (close relatives: spouses on a date d are a pair whose latest mz_marriage
-- record dated on or before d is a marriage). One row per record and direction (a -> b and
-- b -> a), so a lookup by either person is one equality join.

with

marriages as (

    select * from {{ ref('stg_mz__marriages') }}
    where
        person1_id_number is not null
        and person2_id_number is not null
        and reg_date is not null

)

select
    person1_id_number as id_number,
    person2_id_number as other_id_number,
    reg_type,
    reg_date,
    feed,
    record_key

from marriages

union all

select
    person2_id_number as id_number,
    person1_id_number as other_id_number,
    reg_type,
    reg_date,
    feed,
    record_key

from marriages
