-- 企业自然人股东 (sc_shareholder): the current version of every record: the latest row per catalogue key
-- (uscc, shareholder_id_number) by (business date, sequence, line, delivery).
-- Identity-number key columns compare after normalisation.

with

source as (

    select * from {{ source('sc', 'shareholder') }}

),

normalised as (

    select
        uscc,
        {{ normalize_id_number('shareholder_id_number', as_of='_business_date') }} as shareholder_id_number,
        shareholder_id_number as shareholder_id_number_raw,
        {{ id_number_issue('shareholder_id_number', as_of='_business_date') }} as shareholder_id_number_issue,
        share_ratio,
        since_date,
        until_date,
        _delivery_id as delivery_id,
        _business_date as business_date,
        _sequence as delivery_sequence,
        _line as delivery_line

    from source

),

versions as (

    {{ latest_version('normalised', ['uscc', 'coalesce(shareholder_id_number, shareholder_id_number_raw)']) }}

)

select
    'sc_shareholder' as feed,
    {{ record_key([
        ['uscc', 'versions.uscc'],
        ['shareholder_id_number', 'coalesce(versions.shareholder_id_number, versions.shareholder_id_number_raw)'],
    ]) }} as record_key,
    versions.uscc,
    versions.shareholder_id_number,
    versions.shareholder_id_number_raw,
    versions.shareholder_id_number_issue,
    versions.share_ratio,
    versions.since_date,
    versions.until_date,
    versions.delivery_id,
    versions.business_date

from versions
