-- 机动车登记 (ga_vehicle): the current version of every record: the latest row per catalogue key
-- (plate_no, owner_id_number, registered_date) by (business date, sequence, line, delivery).
-- Identity-number key columns compare after normalisation.

with

source as (

    select * from {{ source('ga', 'vehicle') }}

),

normalised as (

    select
        plate_no,
        {{ normalize_id_number('owner_id_number', as_of='_business_date') }} as owner_id_number,
        owner_id_number as owner_id_number_raw,
        {{ id_number_issue('owner_id_number', as_of='_business_date') }} as owner_id_number_issue,
        vehicle_type,
        use_nature,
        registered_date,
        status,
        status_date,
        _delivery_id as delivery_id,
        _business_date as business_date,
        _sequence as delivery_sequence,
        _line as delivery_line

    from source

),

versions as (

    {{ latest_version(
        'normalised', ['plate_no', 'coalesce(owner_id_number, owner_id_number_raw)', 'registered_date']
    ) }}

)

select
    'ga_vehicle' as feed,
    {{ record_key([
        ['plate_no', 'versions.plate_no'],
        ['owner_id_number', 'coalesce(versions.owner_id_number, versions.owner_id_number_raw)'],
        ['registered_date', 'versions.registered_date'],
    ]) }} as record_key,
    versions.plate_no,
    versions.owner_id_number,
    versions.owner_id_number_raw,
    versions.owner_id_number_issue,
    versions.vehicle_type,
    versions.use_nature,
    versions.registered_date,
    versions.status,
    versions.status_date,
    versions.delivery_id,
    versions.business_date

from versions
