-- 特困供养人员: the current version of every case, withdrawn (deleted) cases out.

with

source as (

    select * from {{ source('mz', 'tekun_person') }}

),

normalised as (

    select
        case_id,
        {{ normalize_id_number('id_number', as_of='_business_date') }} as id_number,
        id_number as id_number_raw,
        {{ id_number_issue('id_number', as_of='_business_date') }} as id_number_issue,
        name,
        district_code,
        support_mode,
        institution_id,
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
    'mz_tekun_person' as feed,
    {{ record_key([['case_id', 'case_id']]) }} as record_key,
    case_id,
    id_number,
    id_number_raw,
    id_number_issue,
    name,
    district_code,
    support_mode,
    institution_id,
    approved_date,
    terminated_date,
    monthly_amount,
    handler_staff_id,
    approver_staff_id,
    updated_at,
    delivery_id,
    business_date

from versions
