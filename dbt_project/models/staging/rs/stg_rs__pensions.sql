-- 养老金发放 (rs_pension): the current version of every record: the latest row per catalogue key
-- (id_number, pay_month) by (business date, sequence, line, delivery).
-- Identity-number key columns compare after normalisation.
-- Month columns arrive typed as the month's first day (the loader parses the feed's format);
-- they are truncated to the first day again defensively.
-- One of the three biggest feeds: a table, built once, not re-derived (identity normalisation,
-- latest version) by every model and test that reads it.
{{ config(materialized='table') }}

with

source as (

    select * from {{ source('rs', 'pension') }}

),

normalised as (

    select
        {{ normalize_id_number('id_number', as_of='_business_date') }} as id_number,
        id_number as id_number_raw,
        {{ id_number_issue('id_number', as_of='_business_date') }} as id_number_issue,
        date_trunc('month', pay_month)::date as pay_month,
        scheme,
        amount,
        _delivery_id as delivery_id,
        _business_date as business_date,
        _sequence as delivery_sequence,
        _line as delivery_line

    from source

),

versions as (

    {{ latest_version('normalised', ['coalesce(id_number, id_number_raw)', 'pay_month']) }}

)

select
    'rs_pension' as feed,
    {{ record_key([
        ['id_number', 'coalesce(versions.id_number, versions.id_number_raw)'],
        ['pay_month', 'versions.pay_month'],
    ]) }} as record_key,
    versions.id_number,
    versions.id_number_raw,
    versions.id_number_issue,
    versions.pay_month,
    versions.scheme,
    versions.amount,
    versions.delivery_id,
    versions.business_date

from versions
