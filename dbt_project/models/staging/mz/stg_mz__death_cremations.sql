-- 死亡火化人员: the current version of every record (greatest updated_at per record_id).
-- The table has no deleted column.
-- Read by several models and tests every build: an incremental table merged by key like
-- stg_rs__pensions (macros/incremental_versions.sql), so that a daily build normalises the day's
-- rows only.
{%- set key = [['record_id', 'record_id']] %}
-- the columns of a current version, in the order of `normalised` (stored versions are unioned with it)
{%- set version_columns = [
    'record_id',
    'id_number',
    'id_number_raw',
    'id_number_issue',
    'name',
    'death_date',
    'cremation_date',
    'funeral_home',
    'updated_at',
    'delivery_id',
    'business_date',
    'delivery_sequence',
    'delivery_line',
] %}
{%- set mode = incremental_versions_mode('mz_death_cremation') %}
{{ config(**incremental_versions_config('mz_death_cremation')) }}

with

source as (

    {{ raw_rows_to_merge(source('mz', 'death_cremation'), mode) }}

),

normalised as (

    select
        record_id,
        {{ normalize_id_number('id_number', as_of='_business_date') }} as id_number,
        id_number as id_number_raw,
        {{ id_number_issue('id_number', as_of='_business_date') }} as id_number_issue,
        name,
        death_date,
        cremation_date,
        funeral_home,
        updated_at,
        _delivery_id as delivery_id,
        _business_date as business_date,
        _sequence as delivery_sequence,
        _line as delivery_line

    from source

),

{{ merged_current_versions(mode, key, version_columns, updated_version_order()) }}

select
    'mz_death_cremation' as feed,
    {{ record_key([['record_id', 'record_id']]) }} as record_key,
    record_id,
    id_number,
    id_number_raw,
    id_number_issue,
    name,
    death_date,
    cremation_date,
    funeral_home,
    updated_at,
    delivery_id,
    business_date,
    delivery_sequence,
    delivery_line

from versions
