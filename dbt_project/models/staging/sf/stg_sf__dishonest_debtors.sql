-- 失信被执行人 (sf_dishonest_debtor): the current version of every record: the latest row per catalogue key
-- (case_no, id_number) by (business date, sequence, line, delivery).
-- Identity-number key columns compare after normalisation.

with

source as (

    select * from {{ source('sf', 'dishonest_debtor') }}

),

normalised as (

    select
        case_no,
        {{ normalize_id_number('id_number', as_of='_business_date') }} as id_number,
        id_number as id_number_raw,
        {{ id_number_issue('id_number', as_of='_business_date') }} as id_number_issue,
        name,
        amount_owed,
        listed_date,
        removed_date,
        _delivery_id as delivery_id,
        _business_date as business_date,
        _sequence as delivery_sequence,
        _line as delivery_line

    from source

),

versions as (

    {{ latest_version('normalised', ['case_no', 'coalesce(id_number, id_number_raw)']) }}

)

select
    'sf_dishonest_debtor' as feed,
    {{ record_key([
        ['case_no', 'versions.case_no'],
        ['id_number', 'coalesce(versions.id_number, versions.id_number_raw)'],
    ]) }} as record_key,
    versions.case_no,
    versions.id_number,
    versions.id_number_raw,
    versions.id_number_issue,
    versions.name,
    versions.amount_owed,
    versions.listed_date,
    versions.removed_date,
    versions.delivery_id,
    versions.business_date

from versions
