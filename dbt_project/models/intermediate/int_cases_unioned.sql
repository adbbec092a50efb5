-- One row per (program, case_ref) across the civil-affairs programmes that pay by case, with the
-- case's district, dates and staff. Withdrawn (deleted) cases are already out in staging.
-- case_ref is what mz_payment.case_ref holds: household_id for dibao, case_id otherwise.
-- beneficiary_*: the case's person (null for dibao: a household; see int_case_persons).
-- eldercare_subsidy (case_ref = claim_id) is not a case here: W14 judges the claims themselves.
-- Every rule looks its warnings' cases up here (macros/rule_warnings.sql): by the index, since the
-- planner cannot know how few warnings a rule has (a nested loop over the whole table took 5 s
-- for W09's 303 warnings at city size).

{{ config(post_hook=["{{ lookup_index(['program', 'case_ref']) }}"]) }}

with

dibao as (

    select
        'dibao' as program,
        household_id as case_ref,
        feed as case_feed,
        record_key as case_record_key,
        null::text as beneficiary_id_number,
        null::text as beneficiary_name,
        district_code,
        area_type,
        status as case_status,
        approved_date,
        terminated_date,
        monthly_amount,
        handler_staff_id,
        approver_staff_id

    from {{ ref('stg_mz__dibao_households') }}

),

tekun as (

    select
        'tekun' as program,
        case_id as case_ref,
        feed as case_feed,
        record_key as case_record_key,
        id_number as beneficiary_id_number,
        name as beneficiary_name,
        district_code,
        null::text as area_type,
        null::text as case_status,
        approved_date,
        terminated_date,
        monthly_amount,
        handler_staff_id,
        approver_staff_id

    from {{ ref('stg_mz__tekun_persons') }}

),

child_welfare as (

    select
        program,
        case_id as case_ref,
        feed as case_feed,
        record_key as case_record_key,
        child_id_number as beneficiary_id_number,
        child_name as beneficiary_name,
        district_code,
        null::text as area_type,
        null::text as case_status,
        approved_date,
        terminated_date,
        monthly_amount,
        handler_staff_id,
        approver_staff_id

    from {{ ref('stg_mz__child_welfare_cases') }}
    where program is not null

),

disability as (

    select
        program,
        case_id as case_ref,
        feed as case_feed,
        record_key as case_record_key,
        id_number as beneficiary_id_number,
        name as beneficiary_name,
        district_code,
        null::text as area_type,
        null::text as case_status,
        approved_date,
        terminated_date,
        monthly_amount,
        handler_staff_id,
        approver_staff_id

    from {{ ref('stg_mz__disability_subsidies') }}
    where program is not null

),

elderly_allowance as (

    select
        'elderly_allowance' as program,
        case_id as case_ref,
        feed as case_feed,
        record_key as case_record_key,
        id_number as beneficiary_id_number,
        name as beneficiary_name,
        district_code,
        null::text as area_type,
        null::text as case_status,
        approved_date,
        terminated_date,
        monthly_amount,
        handler_staff_id,
        approver_staff_id

    from {{ ref('stg_mz__elderly_allowances') }}

),

temp_assistance as (

    select
        'temp_assistance' as program,
        case_id as case_ref,
        feed as case_feed,
        record_key as case_record_key,
        id_number as beneficiary_id_number,
        name as beneficiary_name,
        district_code,
        null::text as area_type,
        null::text as case_status,
        approved_date,
        null::date as terminated_date,
        amount as monthly_amount,
        handler_staff_id,
        approver_staff_id

    from {{ ref('stg_mz__temp_assistance_cases') }}

)

select * from dibao
union all
select * from tekun
union all
select * from child_welfare
union all
select * from disability
union all
select * from elderly_allowance
union all
select * from temp_assistance
