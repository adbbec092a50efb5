{{ config(materialized='view') }}

-- Every death fact, one row per record of a death feed, for persons with a valid identity
-- number and a death date (an invalid number matches nothing: see quality.dq_invalid_id_numbers).
-- The spec's death date is the earliest of ga_death.死亡日期, wj_death_certificate.death_date,
-- mz_death_cremation.death_date and ga_hukou.status_date where status = deceased.

with

ga_deaths as (

    select
        id_number,
        death_date,
        feed,
        record_key,
        '死亡日期' as death_date_field,
        name,
        delivery_id,
        business_date,
        1 as feed_priority

    from {{ ref('stg_ga__deaths') }}
    where
        id_number is not null
        and death_date is not null

),

wj_death_certificates as (

    select
        id_number,
        death_date,
        feed,
        record_key,
        'death_date' as death_date_field,
        name,
        delivery_id,
        business_date,
        2 as feed_priority

    from {{ ref('stg_wj__death_certificates') }}
    where
        id_number is not null
        and death_date is not null

),

mz_death_cremations as (

    select
        id_number,
        death_date,
        feed,
        record_key,
        'death_date' as death_date_field,
        name,
        delivery_id,
        business_date,
        3 as feed_priority

    from {{ ref('stg_mz__death_cremations') }}
    where
        id_number is not null
        and death_date is not null

),

ga_hukou_deceased as (

    select
        id_number,
        status_date as death_date,
        feed,
        record_key,
        'status_date' as death_date_field,
        name,
        delivery_id,
        business_date,
        4 as feed_priority

    from {{ ref('stg_ga__hukou') }}
    where
        status = 'deceased'
        and id_number is not null
        and status_date is not null

)

select * from ga_deaths
union all
select * from wj_death_certificates
union all
select * from mz_death_cremations
union all
select * from ga_hukou_deceased
