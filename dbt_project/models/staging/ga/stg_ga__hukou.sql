-- 户籍人口 (ga_hukou): the current version of every record: the latest row per catalogue key
-- (id_number) by (business date, sequence, line, delivery).
-- Identity-number key columns compare after normalisation.

with

source as (

    select * from {{ source('ga', 'hukou') }}

),

normalised as (

    select
        {{ normalize_id_number('id_number', as_of='_business_date') }} as id_number,
        id_number as id_number_raw,
        {{ id_number_issue('id_number', as_of='_business_date') }} as id_number_issue,
        name,
        gender,
        birth_date,
        hukou_district_code,
        household_no,
        relation_to_head,
        status,
        status_date,
        updated_at,
        _delivery_id as delivery_id,
        _business_date as business_date,
        _sequence as delivery_sequence,
        _line as delivery_line

    from source

),

versions as (

    {{ latest_version('normalised', ['coalesce(id_number, id_number_raw)']) }}

)

select
    'ga_hukou' as feed,
    {{ record_key([['id_number', 'coalesce(versions.id_number, versions.id_number_raw)']]) }} as record_key,
    versions.id_number,
    versions.id_number_raw,
    versions.id_number_issue,
    versions.name,
    versions.gender,
    versions.birth_date,
    versions.hukou_district_code,
    versions.household_no,
    versions.relation_to_head,
    versions.status,
    versions.status_date,
    versions.updated_at,
    versions.delivery_id,
    versions.business_date

from versions
