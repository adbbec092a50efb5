-- 养老机构 (mz_eldercare_institution): the current version of every record, i.e. the greatest updated_at per
-- catalogue key (institution_id) (the table has no deleted column).

with

source as (

    select * from {{ source('mz', 'eldercare_institution') }}

),

normalised as (

    select
        institution_id,
        name,
        district_code,
        ownership,
        licensed_beds,
        updated_at,
        _delivery_id as delivery_id,
        _business_date as business_date,
        _sequence as delivery_sequence,
        _line as delivery_line

    from source

),

versions as (

    {{ latest_version('normalised', ['institution_id'], updated_version_order()) }}

)

select
    'mz_eldercare_institution' as feed,
    {{ record_key([['institution_id', 'versions.institution_id']]) }} as record_key,
    versions.institution_id,
    versions.name,
    versions.district_code,
    versions.ownership,
    versions.licensed_beds,
    versions.updated_at,
    versions.delivery_id,
    versions.business_date

from versions
