-- 社会保险缴费 (rs_contribution): the current version of every record: the latest row per catalogue key
-- (id_number, employer_uscc, contribution_month) by (business date, sequence, line, delivery).
-- Identity-number key columns compare after normalisation.
-- Month columns arrive typed as the month's first day (the loader parses the feed's format);
-- they are truncated to the first day again defensively.

with

source as (

    select * from {{ source('rs', 'contribution') }}

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

versions as (

    {{ latest_version('normalised', ['coalesce(id_number, id_number_raw)', 'employer_uscc', 'contribution_month']) }}

)

select
    'rs_contribution' as feed,
    {{ record_key([
        ['id_number', 'coalesce(versions.id_number, versions.id_number_raw)'],
        ['employer_uscc', 'versions.employer_uscc'],
        ['contribution_month', 'versions.contribution_month'],
    ]) }} as record_key,
    versions.id_number,
    versions.id_number_raw,
    versions.id_number_issue,
    versions.employer_uscc,
    versions.employer_name,
    versions.contribution_month,
    versions.payer_type,
    versions.contribution_base,
    versions.delivery_id,
    versions.business_date

from versions
