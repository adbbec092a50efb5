-- 失业登记 (rs_unemployment): the current version of every record: the latest row per catalogue key
-- (id_number, registered_date) by (business date, sequence, line, delivery).
-- Identity-number key columns compare after normalisation.

with

source as (

    select * from {{ source('rs', 'unemployment') }}

),

normalised as (

    select
        {{ normalize_id_number('id_number', as_of='_business_date') }} as id_number,
        id_number as id_number_raw,
        {{ id_number_issue('id_number', as_of='_business_date') }} as id_number_issue,
        name,
        registered_date,
        status,
        status_date,
        monthly_benefit,
        _delivery_id as delivery_id,
        _business_date as business_date,
        _sequence as delivery_sequence,
        _line as delivery_line

    from source

),

versions as (

    {{ latest_version('normalised', ['coalesce(id_number, id_number_raw)', 'registered_date']) }}

)

select
    'rs_unemployment' as feed,
    {{ record_key([
        ['id_number', 'coalesce(versions.id_number, versions.id_number_raw)'],
        ['registered_date', 'versions.registered_date'],
    ]) }} as record_key,
    versions.id_number,
    versions.id_number_raw,
    versions.id_number_issue,
    versions.name,
    versions.registered_date,
    versions.status,
    versions.status_date,
    versions.monthly_benefit,
    versions.delivery_id,
    versions.business_date

from versions
