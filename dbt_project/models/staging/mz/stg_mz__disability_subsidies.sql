-- 残疾人两项补贴: the current version of every case, withdrawn (deleted) cases out.
-- program: subsidy_type living -> disability_living, care -> disability_care.

with

source as (

    select * from {{ source('mz', 'disability_subsidy') }}

),

normalised as (

    select
        case_id,
        {{ normalize_id_number('id_number', as_of='_business_date') }} as id_number,
        id_number as id_number_raw,
        {{ id_number_issue('id_number', as_of='_business_date') }} as id_number_issue,
        name,
        subsidy_type,
        disability_cert_no,
        district_code,
        approved_date,
        terminated_date,
        monthly_amount,
        handler_staff_id,
        approver_staff_id,
        updated_at,
        deleted,
        _delivery_id as delivery_id,
        _business_date as business_date,
        _sequence as delivery_sequence,
        _line as delivery_line

    from source

),

versions as (

    {{ latest_version('normalised', ['case_id'], updated_version_order(), drop_deleted=true) }}

)

select
    'mz_disability_subsidy' as feed,
    {{ record_key([['case_id', 'case_id']]) }} as record_key,
    case_id,
    case subsidy_type
        when 'living' then 'disability_living'
        when 'care' then 'disability_care'
    end as program,
    subsidy_type,
    id_number,
    id_number_raw,
    id_number_issue,
    name,
    disability_cert_no,
    district_code,
    approved_date,
    terminated_date,
    monthly_amount,
    handler_staff_id,
    approver_staff_id,
    updated_at,
    delivery_id,
    business_date

from versions
