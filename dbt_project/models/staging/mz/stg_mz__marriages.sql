-- 婚姻登记 (mz_marriage): the current version of every record, i.e. the greatest updated_at per
-- catalogue key (record_id) (the table has no deleted column).

with

source as (

    select * from {{ source('mz', 'marriage') }}

),

normalised as (

    select
        record_id,
        reg_type,
        {{ normalize_id_number('person1_id_number', as_of='_business_date') }} as person1_id_number,
        person1_id_number as person1_id_number_raw,
        {{ id_number_issue('person1_id_number', as_of='_business_date') }} as person1_id_number_issue,
        {{ normalize_id_number('person2_id_number', as_of='_business_date') }} as person2_id_number,
        person2_id_number as person2_id_number_raw,
        {{ id_number_issue('person2_id_number', as_of='_business_date') }} as person2_id_number_issue,
        reg_date,
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
    'mz_marriage' as feed,
    {{ record_key([['record_id', 'versions.record_id']]) }} as record_key,
    versions.record_id,
    versions.reg_type,
    versions.person1_id_number,
    versions.person1_id_number_raw,
    versions.person1_id_number_issue,
    versions.person2_id_number,
    versions.person2_id_number_raw,
    versions.person2_id_number_issue,
    versions.reg_date,
    versions.updated_at,
    versions.delivery_id,
    versions.business_date

from versions
