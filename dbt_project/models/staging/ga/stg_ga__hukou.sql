-- 户籍人口 (ga_hukou): the current version of every record: the latest row per catalogue key
-- (id_number) by (business date, sequence, line, delivery).
-- Identity-number key columns compare after normalisation.
-- Read by the death dates, the person hukou and the invalid-number mart, and tested, every build:
-- an incremental table merged by key like stg_rs__pensions (macros/incremental_versions.sql), so
-- that a daily build normalises the day's rows only, not every resident's again.
{%- set key = [['id_number', 'coalesce(id_number, id_number_raw)']] %}
-- the columns of a current version, in the order of `normalised` (stored versions are unioned with it)
{%- set version_columns = [
    'id_number',
    'id_number_raw',
    'id_number_issue',
    'name',
    'gender',
    'birth_date',
    'hukou_district_code',
    'household_no',
    'relation_to_head',
    'status',
    'status_date',
    'updated_at',
    'delivery_id',
    'business_date',
    'delivery_sequence',
    'delivery_line',
] %}
{%- set mode = incremental_versions_mode('ga_hukou') %}
{{ config(**incremental_versions_config('ga_hukou')) }}

with

source as (

    {{ raw_rows_to_merge(source('ga', 'hukou'), mode) }}

),

normalised as (

    select
        {{ normalize_id_number('id_number', as_of='_business_date') }} as id_number,
        id_number as id_number_raw,
        {{ id_number_issue('id_number', as_of='_business_date') }} as id_number_issue,
        name,
        gender,
        birth_date,
        hukou_district_code,
        household_no,
        relation_to_head,
        status,
        status_date,
        updated_at,
        _delivery_id as delivery_id,
        _business_date as business_date,
        _sequence as delivery_sequence,
        _line as delivery_line

    from source

),

{{ merged_current_versions(mode, key, version_columns) }}

select
    'ga_hukou' as feed,
    {{ record_key(key) }} as record_key,
    {{ version_columns | join(',\n    ') }}

from versions
