-- 机关事业单位在编人员 (rs_public_employee): the current version of every record: the latest row per catalogue key
-- (id_number, employer_name, start_date) by (business date, sequence, line, delivery).
-- Identity-number key columns compare after normalisation.

with

source as (

    select * from {{ source('rs', 'public_employee') }}

),

normalised as (

    select
        {{ normalize_id_number('id_number', as_of='_business_date') }} as id_number,
        id_number as id_number_raw,
        {{ id_number_issue('id_number', as_of='_business_date') }} as id_number_issue,
        name,
        employer_name,
        employer_type,
        start_date,
        end_date,
        monthly_salary,
        _delivery_id as delivery_id,
        _business_date as business_date,
        _sequence as delivery_sequence,
        _line as delivery_line

    from source

),

versions as (

    {{ latest_version('normalised', ['coalesce(id_number, id_number_raw)', 'employer_name', 'start_date']) }}

)

select
    'rs_public_employee' as feed,
    {{ record_key([
        ['id_number', 'coalesce(versions.id_number, versions.id_number_raw)'],
        ['employer_name', 'versions.employer_name'],
        ['start_date', 'versions.start_date'],
    ]) }} as record_key,
    versions.id_number,
    versions.id_number_raw,
    versions.id_number_issue,
    versions.name,
    versions.employer_name,
    versions.employer_type,
    versions.start_date,
    versions.end_date,
    versions.monthly_salary,
    versions.delivery_id,
    versions.business_date

from versions
