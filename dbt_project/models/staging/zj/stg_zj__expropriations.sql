-- 房屋征收补偿 (zj_expropriation): the current version of every record: the latest row per catalogue key
-- (agreement_no) by (business date, sequence, line, delivery).

with

source as (

    select * from {{ source('zj', 'expropriation') }}

),

normalised as (

    select
        agreement_no,
        {{ normalize_id_number('id_number', as_of='_business_date') }} as id_number,
        id_number as id_number_raw,
        {{ id_number_issue('id_number', as_of='_business_date') }} as id_number_issue,
        project,
        compensation_amount,
        paid_date,
        _delivery_id as delivery_id,
        _business_date as business_date,
        _sequence as delivery_sequence,
        _line as delivery_line

    from source

),

versions as (

    {{ latest_version('normalised', ['agreement_no']) }}

)

select
    'zj_expropriation' as feed,
    {{ record_key([['agreement_no', 'versions.agreement_no']]) }} as record_key,
    versions.agreement_no,
    versions.id_number,
    versions.id_number_raw,
    versions.id_number_issue,
    versions.project,
    versions.compensation_amount,
    versions.paid_date,
    versions.delivery_id,
    versions.business_date

from versions
