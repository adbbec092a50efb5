-- 孤儿与事实无人抚养儿童: the current version of every case, withdrawn (deleted) cases out.
-- program: category orphan -> orphan, unsupported (事实无人抚养) -> unsupported_child, the
-- names mz_payment.program uses.

with

source as (

    select * from {{ source('mz', 'child_welfare') }}

),

normalised as (

    select
        case_id,
        {{ normalize_id_number('child_id_number', as_of='_business_date') }} as child_id_number,
        child_id_number as child_id_number_raw,
        {{ id_number_issue('child_id_number', as_of='_business_date') }} as child_id_number_issue,
        child_name,
        category,
        {{ normalize_id_number('father_id_number', as_of='_business_date') }} as father_id_number,
        father_id_number as father_id_number_raw,
        {{ id_number_issue('father_id_number', as_of='_business_date') }} as father_id_number_issue,
        {{ normalize_id_number('mother_id_number', as_of='_business_date') }} as mother_id_number,
        mother_id_number as mother_id_number_raw,
        {{ id_number_issue('mother_id_number', as_of='_business_date') }} as mother_id_number_issue,
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
    'mz_child_welfare' as feed,
    {{ record_key([['case_id', 'case_id']]) }} as record_key,
    case_id,
    case category
        when 'orphan' then 'orphan'
        when 'unsupported' then 'unsupported_child'
    end as program,
    category,
    child_id_number,
    child_id_number_raw,
    child_id_number_issue,
    child_name,
    father_id_number,
    father_id_number_raw,
    father_id_number_issue,
    mother_id_number,
    mother_id_number_raw,
    mother_id_number_issue,
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
