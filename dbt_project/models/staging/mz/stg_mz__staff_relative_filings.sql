-- 近亲属备案 (mz_staff_relative_filing): the current version of every record, i.e. the greatest updated_at per
-- catalogue key (filing_id) (the table has no deleted column).

with

source as (

    select * from {{ source('mz', 'staff_relative_filing') }}

),

normalised as (

    select
        filing_id,
        staff_id,
        {{ normalize_id_number('relative_id_number', as_of='_business_date') }} as relative_id_number,
        relative_id_number as relative_id_number_raw,
        {{ id_number_issue('relative_id_number', as_of='_business_date') }} as relative_id_number_issue,
        relation,
        filed_date,
        updated_at,
        _delivery_id as delivery_id,
        _business_date as business_date,
        _sequence as delivery_sequence,
        _line as delivery_line

    from source

),

versions as (

    {{ latest_version('normalised', ['filing_id'], updated_version_order()) }}

)

select
    'mz_staff_relative_filing' as feed,
    {{ record_key([['filing_id', 'versions.filing_id']]) }} as record_key,
    versions.filing_id,
    versions.staff_id,
    versions.relative_id_number,
    versions.relative_id_number_raw,
    versions.relative_id_number_issue,
    versions.relation,
    versions.filed_date,
    versions.updated_at,
    versions.delivery_id,
    versions.business_date

from versions
