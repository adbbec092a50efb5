-- 不动产登记 (zj_real_estate): the current version of every record: the latest row per catalogue key
-- (cert_no, owner_id_number) by (business date, sequence, line, delivery).
-- Identity-number key columns compare after normalisation.

with

source as (

    select * from {{ source('zj', 'real_estate') }}

),

normalised as (

    select
        cert_no,
        {{ normalize_id_number('owner_id_number', as_of='_business_date') }} as owner_id_number,
        owner_id_number as owner_id_number_raw,
        {{ id_number_issue('owner_id_number', as_of='_business_date') }} as owner_id_number_issue,
        share_ratio,
        district_code,
        usage,
        area_m2,
        registered_date,
        cancelled_date,
        _delivery_id as delivery_id,
        _business_date as business_date,
        _sequence as delivery_sequence,
        _line as delivery_line

    from source

),

versions as (

    {{ latest_version('normalised', ['cert_no', 'coalesce(owner_id_number, owner_id_number_raw)']) }}

)

select
    'zj_real_estate' as feed,
    {{ record_key([
        ['cert_no', 'versions.cert_no'],
        ['owner_id_number', 'coalesce(versions.owner_id_number, versions.owner_id_number_raw)'],
    ]) }} as record_key,
    versions.cert_no,
    versions.owner_id_number,
    versions.owner_id_number_raw,
    versions.owner_id_number_issue,
    versions.share_ratio,
    versions.district_code,
    versions.usage,
    versions.area_m2,
    versions.registered_date,
    versions.cancelled_date,
    versions.delivery_id,
    versions.business_date

from versions
