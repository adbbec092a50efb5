-- 个人所得税收入 (sw_income): the current version of every record: the latest row per catalogue key
-- (纳税人身份证号, 所属期, 扣缴单位) by (business date, sequence, line, delivery).
-- Identity-number key columns compare after normalisation.
-- The catalogue's Chinese column names are renamed to English; the record_key keeps them.
-- Month columns arrive typed as the month's first day (the loader parses the feed's format);
-- they are truncated to the first day again defensively.
-- A history feed (persons x months): an incremental table merged by key like stg_rs__pensions
-- (macros/incremental_versions.sql), so that a daily build neither re-derives it for its tests
-- nor for the person income of a few persons (looked up by the id_number index).
{%- set key = [
    ['纳税人身份证号', 'coalesce(id_number, id_number_raw)'],
    ['所属期', 'income_month'],
    ['扣缴单位', 'withholding_agent'],
] %}
-- the columns of a current version, in the order of `normalised` (stored versions are unioned with it)
{%- set version_columns = [
    'id_number',
    'id_number_raw',
    'id_number_issue',
    'name',
    'income_month',
    'withholding_agent',
    'income_amount',
    'tax_paid',
    'delivery_id',
    'business_date',
    'delivery_sequence',
    'delivery_line',
] %}
{%- set mode = incremental_versions_mode('sw_income') %}
{{ config(**incremental_versions_config('sw_income', lookup=['id_number'])) }}

with

source as (

    {{ raw_rows_to_merge(source('sw', 'income'), mode) }}

),

normalised as (

    select
        {{ normalize_id_number('"纳税人身份证号"', as_of='_business_date') }} as id_number,
        "纳税人身份证号" as id_number_raw,
        {{ id_number_issue('"纳税人身份证号"', as_of='_business_date') }} as id_number_issue,
        "姓名" as name,
        date_trunc('month', "所属期")::date as income_month,
        "扣缴单位" as withholding_agent,
        "收入额" as income_amount,
        "已缴税额" as tax_paid,
        _delivery_id as delivery_id,
        _business_date as business_date,
        _sequence as delivery_sequence,
        _line as delivery_line

    from source

),

{{ merged_current_versions(mode, key, version_columns) }}

select
    'sw_income' as feed,
    {{ record_key(key) }} as record_key,
    {{ version_columns | join(',\n    ') }}

from versions
