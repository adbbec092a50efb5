-- W06 vehicle 有车辆 (warning-rules.md): a paid dibao month M is flagged for a member of
-- members(h, M) who owns, during M, a passenger_car or truck (owned from registered_date; until
-- status_date unless status = normal). Subject that member; amount_at_risk: the amount.

with

member_months as (

    select * from {{ ref('int_dibao_member_months') }}
    where member_id_number is not null

),

vehicles as (

    select * from {{ ref('int_person_vehicles') }}
    where vehicle_type in ('passenger_car', 'truck')

),

flagged as (

    select
        member_months.paid_month_key,
        member_months.program,
        member_months.case_ref,
        member_months.member_id_number as subject_id_number,
        min(member_months.member_name) as subject_name,
        member_months.pay_month,
        min(member_months.amount) as amount_at_risk,
        jsonb_agg(
            {{ evidence_item('vehicles.feed', 'vehicles.record_key', "'vehicle_type'", 'vehicles.vehicle_type',
                "'owned from ' || " ~ iso_date('vehicles.from_date')
                ~ " || coalesce(' to ' || " ~ iso_date('vehicles.to_date') ~ ", '') || ' (status ' || coalesce(vehicles.status, '?') || ')'") }}
            order by vehicles.record_key
        ) as facts,
        (array_agg(member_months.payments))[1] as payments

    from member_months
    inner join vehicles
        on
            member_months.member_id_number = vehicles.id_number
            and vehicles.from_date <= (member_months.pay_month + interval '1 month - 1 day')::date
            and (vehicles.to_date is null or member_months.pay_month <= vehicles.to_date)
    group by
        member_months.paid_month_key,
        member_months.program,
        member_months.case_ref,
        member_months.member_id_number,
        member_months.pay_month

),

{{ rule_warnings('W06') }}
