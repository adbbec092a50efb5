{{ config(materialized='view') }}

-- Public employment (W08, W04): each rs_public_employee post [start_date, end_date] of a person
-- with a valid number, with its monthly salary.

select
    id_number,
    employer_name,
    employer_type,
    start_date as from_date,
    end_date as to_date,
    monthly_salary,
    name,
    feed,
    record_key

from {{ ref('stg_rs__public_employees') }}
where
    id_number is not null
    and start_date is not null
