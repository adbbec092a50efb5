-- 住房公积金缴存 (zj_provident_fund): the current version of every record: the latest row per catalogue key
-- (id_number, deposit_month) by (business date, sequence, line, delivery).
-- Identity-number key columns compare after normalisation.
-- Month columns arrive typed as the month's first day (the loader parses the feed's format);
-- they are truncated to the first day again defensively.

with

source as (

    select * from {{ source('zj', 'provident_fund') }}

),

normalised as (

    select
        {{ normalize_id_number('id_number', as_of='_business_date') }} as id_number,
        id_number as id_number_raw,
        {{ id_number_issue('id_number', as_of='_business_date') }} as id_number_issue,
        employer_name,
        date_trunc('month', deposit_month)::date as deposit_month,
        deposit_base,
        monthly_deposit,
        _delivery_id as delivery_id,
        _business_date as business_date,
        _sequence as delivery_sequence,
        _line as delivery_line

    from source

),

versions as (

    {{ latest_version('normalised', ['coalesce(id_number, id_number_raw)', 'deposit_month']) }}

)

select
    'zj_provident_fund' as feed,
    {{ record_key([
        ['id_number', 'coalesce(versions.id_number, versions.id_number_raw)'],
        ['deposit_month', 'versions.deposit_month'],
    ]) }} as record_key,
    versions.id_number,
    versions.id_number_raw,
    versions.id_number_issue,
    versions.employer_name,
    versions.deposit_month,
    versions.deposit_base,
    versions.monthly_deposit,
    versions.delivery_id,
    versions.business_date

from versions
