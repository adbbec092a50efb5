{{ config(materialized='view') }}

-- Vehicles owned (W06): a ga_vehicle registration is owned from registered_date until
-- status_date, unless status = normal (then open). Persons with a valid number only.

select
    owner_id_number as id_number,
    plate_no,
    vehicle_type,
    use_nature,
    status,
    registered_date as from_date,
    case when status = 'normal' then null else status_date end as to_date,
    feed,
    record_key

from {{ ref('stg_ga__vehicles') }}
where
    owner_id_number is not null
    and registered_date is not null
