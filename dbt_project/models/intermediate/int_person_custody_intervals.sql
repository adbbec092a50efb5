{{ config(materialized='view') }}

-- Custody (warning-rules.md): each sf_prisoner [admitted_date, released_date] of a person with a
-- valid identity number (serving a sentence in prison; released_date null = still serving).
-- Pre-trial detention (ga_detention) and community correction are not custody.

select
    id_number,
    admitted_date as from_date,
    released_date as to_date,
    prison,
    name,
    feed,
    record_key

from {{ ref('stg_sf__prisoners') }}
where
    id_number is not null
    and admitted_date is not null
