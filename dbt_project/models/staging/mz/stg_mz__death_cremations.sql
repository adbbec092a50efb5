-- 死亡火化人员: the current version of every record (greatest updated_at per record_id).
-- The table has no deleted column.

with

source as (

    select * from {{ source('mz', 'death_cremation') }}

),

normalised as (

    select
        record_id,
        {{ normalize_id_number('id_number', as_of='_business_date') }} as id_number,
        id_number as id_number_raw,
        {{ id_number_issue('id_number', as_of='_business_date') }} as id_number_issue,
        name,
        death_date,
        cremation_date,
        funeral_home,
        updated_at,
        _delivery_id as delivery_id,
        _business_date as business_date,
        _sequence as delivery_sequence,
        _line as delivery_line

    from source

),

versions as (

    {{ latest_version('normalised', ['record_id'], updated_version_order()) }}

)

select
    'mz_death_cremation' as feed,
    {{ record_key([['record_id', 'record_id']]) }} as record_key,
    record_id,
    id_number,
    id_number_raw,
    id_number_issue,
    name,
    death_date,
    cremation_date,
    funeral_home,
    updated_at,
    delivery_id,
    business_date

from versions
