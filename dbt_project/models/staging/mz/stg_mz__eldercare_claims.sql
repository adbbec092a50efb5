-- 养老机构运营补贴申报 (mz_eldercare_claim): the current version of every record, i.e. the greatest updated_at per
-- catalogue key (claim_id), withdrawn (deleted) records out.
-- Month columns arrive typed as the month's first day (the loader parses the feed's format);
-- they are truncated to the first day again defensively.

with

source as (

    select * from {{ source('mz', 'eldercare_claim') }}

),

normalised as (

    select
        claim_id,
        institution_id,
        date_trunc('month', claim_month)::date as claim_month,
        {{ normalize_id_number('resident_id_number', as_of='_business_date') }} as resident_id_number,
        resident_id_number as resident_id_number_raw,
        {{ id_number_issue('resident_id_number', as_of='_business_date') }} as resident_id_number_issue,
        resident_name,
        care_level,
        claimed_amount,
        updated_at,
        deleted,
        _delivery_id as delivery_id,
        _business_date as business_date,
        _sequence as delivery_sequence,
        _line as delivery_line

    from source

),

versions as (

    {{ latest_version('normalised', ['claim_id'], updated_version_order()) }}

)

select
    'mz_eldercare_claim' as feed,
    {{ record_key([['claim_id', 'versions.claim_id']]) }} as record_key,
    versions.claim_id,
    versions.institution_id,
    versions.claim_month,
    versions.resident_id_number,
    versions.resident_id_number_raw,
    versions.resident_id_number_issue,
    versions.resident_name,
    versions.care_level,
    versions.claimed_amount,
    versions.updated_at,
    versions.delivery_id,
    versions.business_date

from versions
where versions.deleted is not true
