-- The hukou register (ga_hukou) of persons with a valid identity number: one row per person (the
-- current version), with the registered district, household number, status and status date.
-- A table (analysed): the rules join it on every paid month, and a staging view's row estimates
-- would mislead the planner.

select
    id_number,
    name,
    gender,
    birth_date,
    hukou_district_code,
    household_no,
    relation_to_head,
    status,
    status_date,
    feed,
    record_key

from {{ ref('stg_ga__hukou') }}
where id_number is not null
