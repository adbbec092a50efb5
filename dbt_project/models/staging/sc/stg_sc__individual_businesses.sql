-- 个体工商户 (sc_individual_business): the current version of every record: the latest row per catalogue key
-- (registration_no) by (business date, sequence, line, delivery).

with

source as (

    select * from {{ source('sc', 'individual_business') }}

),

normalised as (

    select
        registration_no,
        {{ normalize_id_number('operator_id_number', as_of='_business_date') }} as operator_id_number,
        operator_id_number as operator_id_number_raw,
        {{ id_number_issue('operator_id_number', as_of='_business_date') }} as operator_id_number_issue,
        business_name,
        status,
        established_date,
        cancelled_date,
        _delivery_id as delivery_id,
        _business_date as business_date,
        _sequence as delivery_sequence,
        _line as delivery_line

    from source

),

versions as (

    {{ latest_version('normalised', ['registration_no']) }}

)

select
    'sc_individual_business' as feed,
    {{ record_key([['registration_no', 'versions.registration_no']]) }} as record_key,
    versions.registration_no,
    versions.operator_id_number,
    versions.operator_id_number_raw,
    versions.operator_id_number_issue,
    versions.business_name,
    versions.status,
    versions.established_date,
    versions.cancelled_date,
    versions.delivery_id,
    versions.business_date

from versions
