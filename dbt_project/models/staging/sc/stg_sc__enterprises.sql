-- 企业登记 (sc_enterprise): the current version of every record: the latest row per catalogue key
-- (uscc) by (business date, sequence, line, delivery).

with

source as (

    select * from {{ source('sc', 'enterprise') }}

),

normalised as (

    select
        uscc,
        name,
        {{ normalize_id_number('legal_rep_id_number', as_of='_business_date') }} as legal_rep_id_number,
        legal_rep_id_number as legal_rep_id_number_raw,
        {{ id_number_issue('legal_rep_id_number', as_of='_business_date') }} as legal_rep_id_number_issue,
        registered_capital,
        status,
        established_date,
        status_date,
        district_code,
        _delivery_id as delivery_id,
        _business_date as business_date,
        _sequence as delivery_sequence,
        _line as delivery_line

    from source

),

versions as (

    {{ latest_version('normalised', ['uscc']) }}

)

select
    'sc_enterprise' as feed,
    {{ record_key([['uscc', 'versions.uscc']]) }} as record_key,
    versions.uscc,
    versions.name,
    versions.legal_rep_id_number,
    versions.legal_rep_id_number_raw,
    versions.legal_rep_id_number_issue,
    versions.registered_capital,
    versions.status,
    versions.established_date,
    versions.status_date,
    versions.district_code,
    versions.delivery_id,
    versions.business_date

from versions
