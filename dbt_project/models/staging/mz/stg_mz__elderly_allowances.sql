-- 高龄津贴: the current version of every case, withdrawn (deleted) cases out.

with

source as (

    select * from {{ source('mz', 'elderly_allowance') }}

),

versions as (

    select distinct on (case_id)
        case_id,
        {{ normalize_id_number('id_number', as_of='_business_date') }} as id_number,
        id_number as id_number_raw,
        {{ id_number_issue('id_number', as_of='_business_date') }} as id_number_issue,
        name,
        district_code,
        approved_date,
        terminated_date,
        monthly_amount,
        handler_staff_id,
        approver_staff_id,
        updated_at,
        deleted,
        _delivery_id as delivery_id,
        _business_date as business_date

    from source
    order by case_id asc, updated_at desc nulls last, _business_date desc, _sequence desc, _line desc nulls last

)

select
    'mz_elderly_allowance' as feed,
    {{ record_key([['case_id', 'case_id']]) }} as record_key,
    case_id,
    id_number,
    id_number_raw,
    id_number_issue,
    name,
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
where deleted is not true
