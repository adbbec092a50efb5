-- 不动产登记 (zj_real_estate): the current version of every record: the latest row per catalogue key
-- (cert_no, owner_id_number) by (business date, sequence, line, delivery).
-- Identity-number key columns compare after normalisation.
-- Read by several models and tests every build: an incremental table merged by key like
-- stg_rs__pensions (macros/incremental_versions.sql), so that a daily build normalises the day's
-- rows only.
{%- set key = [['cert_no', 'cert_no'], ['owner_id_number', 'coalesce(owner_id_number, owner_id_number_raw)']] %}
-- the columns of a current version, in the order of `normalised` (stored versions are unioned with it)
{%- set version_columns = [
    'cert_no',
    'owner_id_number',
    'owner_id_number_raw',
    'owner_id_number_issue',
    'share_ratio',
    'district_code',
    'usage',
    'area_m2',
    'registered_date',
    'cancelled_date',
    'delivery_id',
    'business_date',
    'delivery_sequence',
    'delivery_line',
] %}
{%- set mode = incremental_versions_mode('zj_real_estate') %}
{{ config(**incremental_versions_config('zj_real_estate')) }}

with

source as (

    {{ raw_rows_to_merge(source('zj', 'real_estate'), mode) }}

),

normalised as (

    select
        cert_no,
        {{ normalize_id_number('owner_id_number', as_of='_business_date') }} as owner_id_number,
        owner_id_number as owner_id_number_raw,
        {{ id_number_issue('owner_id_number', as_of='_business_date') }} as owner_id_number_issue,
        share_ratio,
        district_code,
        usage,
        area_m2,
        registered_date,
        cancelled_date,
        _delivery_id as delivery_id,
        _business_date as business_date,
        _sequence as delivery_sequence,
        _line as delivery_line

    from source

),

{{ merged_current_versions(mode, key, version_columns) }}

select
    'zj_real_estate' as feed,
    {{ record_key([
        ['cert_no', 'versions.cert_no'],
        ['owner_id_number', 'coalesce(versions.owner_id_number, versions.owner_id_number_raw)'],
    ]) }} as record_key,
    versions.cert_no,
    versions.owner_id_number,
    versions.owner_id_number_raw,
    versions.owner_id_number_issue,
    versions.share_ratio,
    versions.district_code,
    versions.usage,
    versions.area_m2,
    versions.registered_date,
    versions.cancelled_date,
    versions.delivery_id,
    versions.business_date,
    versions.delivery_sequence,
    versions.delivery_line

from versions
