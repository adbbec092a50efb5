-- 死亡注销 (ga_death), delivered by the 13 district branches: the current version of every
-- person, i.e. the latest row per normalised 公民身份号码 by (business date, sequence, line).
-- Chinese catalogue columns renamed to English; unit (the branch) from the load ledger.
-- Read by several models and tests every build: an incremental table merged by key like
-- stg_rs__pensions (macros/incremental_versions.sql), so that a daily build normalises the day's
-- rows only.
{%- set key = [['公民身份号码', 'coalesce(id_number, id_number_raw)']] %}
-- the columns of a current version, in the order of `normalised` (stored versions are unioned with it)
{%- set version_columns = [
    'id_number',
    'id_number_raw',
    'id_number_issue',
    'name',
    'death_date',
    'deregistered_date',
    'police_station',
    'delivery_id',
    'business_date',
    'delivery_sequence',
    'delivery_line',
] %}
{%- set mode = incremental_versions_mode('ga_death') %}
{{ config(**incremental_versions_config('ga_death')) }}

with

source as (

    {{ raw_rows_to_merge(source('ga', 'death'), mode) }}

),

deliveries as (

    select
        delivery_id,
        unit

    from {{ source('meta', 'deliveries') }}

),

normalised as (

    select
        {{ normalize_id_number('"公民身份号码"', as_of='_business_date') }} as id_number,
        "公民身份号码" as id_number_raw,
        {{ id_number_issue('"公民身份号码"', as_of='_business_date') }} as id_number_issue,
        "姓名" as name,
        "死亡日期" as death_date,
        "注销日期" as deregistered_date,
        "派出所" as police_station,
        _delivery_id as delivery_id,
        _business_date as business_date,
        _sequence as delivery_sequence,
        _line as delivery_line

    from source

),

{{ merged_current_versions(mode, key, version_columns) }}

select
    'ga_death' as feed,
    {{ record_key([['公民身份号码', 'coalesce(versions.id_number, versions.id_number_raw)']]) }} as record_key,
    versions.id_number,
    versions.id_number_raw,
    versions.id_number_issue,
    versions.name,
    versions.death_date,
    versions.deregistered_date,
    versions.police_station,
    deliveries.unit,
    versions.delivery_id,
    versions.business_date,
    versions.delivery_sequence,
    versions.delivery_line

from versions
left join deliveries
    on versions.delivery_id = deliveries.delivery_id
