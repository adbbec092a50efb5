-- 社会保险缴费 (rs_contribution): the current version of every record: the latest row per catalogue key
-- (id_number, employer_uscc, contribution_month) by (business date, sequence, line, delivery).
-- Identity-number key columns compare after normalisation.
-- Month columns arrive typed as the month's first day (the loader parses the feed's format);
-- they are truncated to the first day again defensively.
-- A history feed (persons x months): an incremental table merged by key like stg_rs__pensions
-- (macros/incremental_versions.sql), so that a daily build neither re-derives it for its tests
-- nor for the person income of a few persons (looked up by the id_number index).
{%- set key = [
    ['id_number', 'coalesce(id_number, id_number_raw)'],
    ['employer_uscc', 'employer_uscc'],
    ['contribution_month', 'contribution_month'],
] %}
-- the columns of a current version, in the order of `normalised` (stored versions are unioned with it)
{%- set version_columns = [
    'id_number',
    'id_number_raw',
    'id_number_issue',
    'employer_uscc',
    'employer_name',
    'contribution_month',
    'payer_type',
    'contribution_base',
    'delivery_id',
    'business_date',
    'delivery_sequence',
    'delivery_line',
] %}
{%- set mode = incremental_versions_mode('rs_contribution') %}
{{ config(**incremental_versions_config('rs_contribution', lookup=['id_number'])) }}

with

source as (

    {{ raw_rows_to_merge(source('rs', 'contribution'), mode) }}

),

normalised as (

    select
        {{ normalize_id_number('id_number', as_of='_business_date') }} as id_number,
        id_number as id_number_raw,
        {{ id_number_issue('id_number', as_of='_business_date') }} as id_number_issue,
        employer_uscc,
        employer_name,
        date_trunc('month', contribution_month)::date as contribution_month,
        payer_type,
        contribution_base,
        _delivery_id as delivery_id,
        _business_date as business_date,
        _sequence as delivery_sequence,
        _line as delivery_line

    from source

),

{{ merged_current_versions(mode, key, version_columns) }}

select
    'rs_contribution' as feed,
    {{ record_key(key) }} as record_key,
    {{ version_columns | join(',\n    ') }}

from versions
