-- 低保家庭: the current version of every household, withdrawn (deleted) households out.

with

source as (

    select * from {{ source('mz', 'dibao_household') }}

),

versions as (

    select
        *,
        row_number() over (
            partition by household_id
            order by updated_at desc nulls last, _business_date desc, _sequence desc, _line desc nulls last
        ) as version_rank

    from source

)

select
    'mz_dibao_household' as feed,
    {{ record_key([['household_id', 'household_id']]) }} as record_key,
    household_id,
    district_code,
    community,
    area_type,
    status,
    approved_date,
    terminated_date,
    monthly_amount,
    handler_staff_id,
    approver_staff_id,
    updated_at,
    _delivery_id as delivery_id,
    _business_date as business_date

from versions
where
    version_rank = 1
    and deleted is not true
