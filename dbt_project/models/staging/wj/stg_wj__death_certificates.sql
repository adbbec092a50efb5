-- 死亡医学证明 (wj_death_certificate): the current version of every certificate, i.e. the
-- latest row per certificate_no by (business date, sequence, line).
-- Read by several models and tests every build: an incremental table merged by key like
-- stg_rs__pensions (macros/incremental_versions.sql), so that a daily build normalises the day's
-- rows only.
{%- set key = [['certificate_no', 'certificate_no']] %}
-- the columns of a current version, in the order of `normalised` (stored versions are unioned with it)
{%- set version_columns = [
    'certificate_no',
    'id_number',
    'id_number_raw',
    'id_number_issue',
    'name',
    'death_date',
    'institution',
    'delivery_id',
    'business_date',
    'delivery_sequence',
    'delivery_line',
] %}
{%- set mode = incremental_versions_mode('wj_death_certificate') %}
{{ config(**incremental_versions_config('wj_death_certificate')) }}

with

source as (

    {{ raw_rows_to_merge(source('wj', 'death_certificate'), mode) }}

),

normalised as (

    select
        certificate_no,
        {{ normalize_id_number('id_number', as_of='_business_date') }} as id_number,
        id_number as id_number_raw,
        {{ id_number_issue('id_number', as_of='_business_date') }} as id_number_issue,
        name,
        death_date,
        institution,
        _delivery_id as delivery_id,
        _business_date as business_date,
        _sequence as delivery_sequence,
        _line as delivery_line

    from source

),

{{ merged_current_versions(mode, key, version_columns) }}

select
    'wj_death_certificate' as feed,
    {{ record_key([['certificate_no', 'certificate_no']]) }} as record_key,
    certificate_no,
    id_number,
    id_number_raw,
    id_number_issue,
    name,
    death_date,
    institution,
    delivery_id,
    business_date,
    delivery_sequence,
    delivery_line

from versions
