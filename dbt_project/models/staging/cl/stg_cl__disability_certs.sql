-- 残疾人证 (cl_disability_cert): the current version of every record: the latest row per catalogue key
-- (cert_no) by (business date, sequence, line, delivery).

with

source as (

    select * from {{ source('cl', 'disability_cert') }}

),

normalised as (

    select
        cert_no,
        {{ normalize_id_number('id_number', as_of='_business_date') }} as id_number,
        id_number as id_number_raw,
        {{ id_number_issue('id_number', as_of='_business_date') }} as id_number_issue,
        name,
        disability_type,
        grade,
        issued_date,
        valid_until,
        status,
        _delivery_id as delivery_id,
        _business_date as business_date,
        _sequence as delivery_sequence,
        _line as delivery_line

    from source

),

versions as (

    {{ latest_version('normalised', ['cert_no']) }}

)

select
    'cl_disability_cert' as feed,
    {{ record_key([['cert_no', 'versions.cert_no']]) }} as record_key,
    versions.cert_no,
    versions.id_number,
    versions.id_number_raw,
    versions.id_number_issue,
    versions.name,
    versions.disability_type,
    versions.grade,
    versions.issued_date,
    versions.valid_until,
    versions.status,
    versions.delivery_id,
    versions.business_date

from versions
