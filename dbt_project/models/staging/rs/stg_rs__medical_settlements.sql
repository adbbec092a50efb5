-- 医保结算 (rs_medical_settlement): the current version of every record: the latest row per catalogue key
-- (settlement_id) by (business date, sequence, line, delivery).

with

source as (

    select * from {{ source('rs', 'medical_settlement') }}

),

normalised as (

    select
        settlement_id,
        {{ normalize_id_number('id_number', as_of='_business_date') }} as id_number,
        id_number as id_number_raw,
        {{ id_number_issue('id_number', as_of='_business_date') }} as id_number_issue,
        settle_date,
        total_cost,
        self_paid,
        _delivery_id as delivery_id,
        _business_date as business_date,
        _sequence as delivery_sequence,
        _line as delivery_line

    from source

),

versions as (

    {{ latest_version('normalised', ['settlement_id']) }}

)

select
    'rs_medical_settlement' as feed,
    {{ record_key([['settlement_id', 'versions.settlement_id']]) }} as record_key,
    versions.settlement_id,
    versions.id_number,
    versions.id_number_raw,
    versions.id_number_issue,
    versions.settle_date,
    versions.total_cost,
    versions.self_paid,
    versions.delivery_id,
    versions.business_date

from versions
