-- 低保家庭: the current version of every household, withdrawn (deleted) households out.

with

source as (

    select * from {{ source('mz', 'dibao_household') }}

),

versions as (

    {{ latest_version('source', ['household_id'], updated_version_order(true), drop_deleted=true) }}

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
