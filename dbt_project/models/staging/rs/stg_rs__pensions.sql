-- 养老金发放 (rs_pension): the current version of every record: the latest row per catalogue key
-- (id_number, pay_month) by (business date, sequence, line, delivery).
-- Identity-number key columns compare after normalisation.
-- Month columns arrive typed as the month's first day (the loader parses the feed's format);
-- they are truncated to the first day again defensively.
-- One of the big history feeds: an incremental table (macros/incremental_versions.sql, README
-- "Incremental models"). A daily build reads and normalises only the raw rows delivered since the
-- table's watermark; a key's new current version is the latest of its stored one and its new
-- rows (delete+insert by record_key). delivery_sequence and delivery_line keep the version order.
{%- set key = [['id_number', 'coalesce(id_number, id_number_raw)'], ['pay_month', 'pay_month']] %}
-- the columns of a current version, in the order of `normalised` (stored versions are unioned with it)
{%- set version_columns = [
    'id_number',
    'id_number_raw',
    'id_number_issue',
    'pay_month',
    'scheme',
    'amount',
    'delivery_id',
    'business_date',
    'delivery_sequence',
    'delivery_line',
] %}
{%- set mode = incremental_versions_mode('rs_pension') %}
{{ config(**incremental_versions_config('rs_pension', lookup=['id_number'])) }}

with

source as (

    {{ raw_rows_to_merge(source('rs', 'pension'), mode) }}

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

{{ merged_current_versions(mode, key, version_columns) }}

select
    'rs_pension' as feed,
    {{ record_key(key) }} as record_key,
    {{ version_columns | join(',\n    ') }}

from versions
