-- 服刑人员 (sf_prisoner): the current version of every record: the latest row per catalogue key
-- (id_number, admitted_date) by (business date, sequence, line, delivery).
-- Identity-number key columns compare after normalisation.

with

source as (

    select * from {{ source('sf', 'prisoner') }}

),

normalised as (

    select
        {{ normalize_id_number('id_number', as_of='_business_date') }} as id_number,
        id_number as id_number_raw,
        {{ id_number_issue('id_number', as_of='_business_date') }} as id_number_issue,
        name,
        prison,
        admitted_date,
        expected_release_date,
        released_date,
        _delivery_id as delivery_id,
        _business_date as business_date,
        _sequence as delivery_sequence,
        _line as delivery_line

    from source

),

versions as (

    {{ latest_version('normalised', ['coalesce(id_number, id_number_raw)', 'admitted_date']) }}

)

select
    'sf_prisoner' as feed,
    {{ record_key([
        ['id_number', 'coalesce(versions.id_number, versions.id_number_raw)'],
        ['admitted_date', 'versions.admitted_date'],
    ]) }} as record_key,
    versions.id_number,
    versions.id_number_raw,
    versions.id_number_issue,
    versions.name,
    versions.prison,
    versions.admitted_date,
    versions.expected_release_date,
    versions.released_date,
    versions.delivery_id,
    versions.business_date

from versions
