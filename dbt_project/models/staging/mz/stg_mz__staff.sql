-- 民政经办人员 (mz_staff): the current version of every record, i.e. the greatest updated_at per
-- catalogue key (staff_id) (the table has no deleted column).

with

source as (

    select * from {{ source('mz', 'staff') }}

),

normalised as (

    select
        staff_id,
        {{ normalize_id_number('id_number', as_of='_business_date') }} as id_number,
        id_number as id_number_raw,
        {{ id_number_issue('id_number', as_of='_business_date') }} as id_number_issue,
        name,
        org_unit,
        role,
        district_code,
        active_from,
        active_to,
        updated_at,
        _delivery_id as delivery_id,
        _business_date as business_date,
        _sequence as delivery_sequence,
        _line as delivery_line

    from source

),

versions as (

    {{ latest_version('normalised', ['staff_id'], updated_version_order()) }}

)

select
    'mz_staff' as feed,
    {{ record_key([['staff_id', 'versions.staff_id']]) }} as record_key,
    versions.staff_id,
    versions.id_number,
    versions.id_number_raw,
    versions.id_number_issue,
    versions.name,
    versions.org_unit,
    versions.role,
    versions.district_code,
    versions.active_from,
    versions.active_to,
    versions.updated_at,
    versions.delivery_id,
    versions.business_date

from versions
