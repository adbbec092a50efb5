-- 资金发放: the current version of every payment (greatest updated_at per payment_id).
-- mz_payment has no deleted column; status reversed is kept here (paid months filter it).
-- A payment moved to another case is one key (payment_id): its current version names the new case.
-- One of the three biggest feeds: an incremental table (macros/incremental_versions.sql, README
-- "Incremental models"). A daily build reads and normalises only the raw rows delivered since the
-- table's watermark; a payment's new current version is the latest of its stored one and its new
-- rows (delete+insert by record_key). delivery_sequence and delivery_line keep the version order.
{%- set key = [['payment_id', 'payment_id']] %}
-- the columns of a current version, in the order of `normalised` (stored versions are unioned with it)
{%- set version_columns = [
    'payment_id',
    'program',
    'case_ref',
    'payee_id_number',
    'payee_id_number_raw',
    'payee_id_number_issue',
    'pay_month',
    'amount',
    'paid_at',
    'status',
    'updated_at',
    'delivery_id',
    'business_date',
    'delivery_sequence',
    'delivery_line',
] %}
{%- set mode = incremental_versions_mode('mz_payment') %}
{{ config(**incremental_versions_config('mz_payment', lookup=['case_ref'])) }}

with

source as (

    {{ raw_rows_to_merge(source('mz', 'payment'), mode) }}

),

normalised as (

    select
        payment_id,
        program,
        case_ref,
        {{ normalize_id_number('payee_id_number', as_of='_business_date') }} as payee_id_number,
        payee_id_number as payee_id_number_raw,
        {{ id_number_issue('payee_id_number', as_of='_business_date') }} as payee_id_number_issue,
        pay_month,
        amount,
        paid_at,
        status,
        updated_at,
        _delivery_id as delivery_id,
        _business_date as business_date,
        _sequence as delivery_sequence,
        _line as delivery_line

    from source

),

{{ merged_current_versions(mode, key, version_columns, updated_version_order()) }}

select
    'mz_payment' as feed,
    {{ record_key(key) }} as record_key,
    {{ version_columns | join(',\n    ') }}

from versions
