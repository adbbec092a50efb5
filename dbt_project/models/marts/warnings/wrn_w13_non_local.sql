-- W13 non_local 非本市户籍 (warning-rules.md): a paid dibao or tekun month M is flagged when the
-- payee's ga_hukou.hukou_district_code does not start with 2101, or the payee's ga_hukou.status
-- is moved_out, abroad or cancelled with status_date < M_start, or ga_emigration.settled_date
-- < M_start. A payee with no ga_hukou row is not flagged (a data-quality finding): every
-- condition needs the hukou row. Subject the payee; amount_at_risk: the amount.

with

paid_months as (

    select * from {{ ref('int_paid_months_aggregated') }}
    where
        program in ('dibao', 'tekun')
        and payee_id_number is not null

),

emigrations as (

    select * from {{ ref('stg_ga__emigrations') }}
    where
        id_number is not null
        and settled_date is not null

),

-- only the persons some condition can flag (each needs the hukou row): a few thousand of the
-- city's, so the paid months are joined to them alone, not every payee to their hukou
hukou as (

    select * from {{ ref('int_person_hukou') }}
    where
        hukou_district_code not like '2101%'
        or status in ('moved_out', 'abroad', 'cancelled')
        or id_number in (select emigrations.id_number from emigrations)

),

checks as (

    select
        paid_months.paid_month_key,
        paid_months.program,
        paid_months.case_ref,
        paid_months.payee_id_number,
        hukou.name,
        paid_months.pay_month,
        paid_months.amount,
        paid_months.payments,
        hukou.feed as hukou_feed,
        hukou.record_key as hukou_record_key,
        hukou.hukou_district_code,
        hukou.status,
        hukou.status_date,
        emigrations.feed as emigration_feed,
        emigrations.record_key as emigration_record_key,
        emigrations.settled_date,
        coalesce(hukou.hukou_district_code not like '2101%', false) as non_local_district,
        coalesce(
            hukou.status in ('moved_out', 'abroad', 'cancelled') and hukou.status_date < paid_months.pay_month, false
        ) as left_by_status,
        coalesce(emigrations.settled_date < paid_months.pay_month, false) as settled_abroad

    from paid_months
    inner join hukou
        on paid_months.payee_id_number = hukou.id_number
    left join emigrations
        on paid_months.payee_id_number = emigrations.id_number

),

flagged as (

    select
        paid_month_key,
        program,
        case_ref,
        payee_id_number as subject_id_number,
        name as subject_name,
        pay_month,
        amount as amount_at_risk,
        case when non_local_district
                then jsonb_build_array(
            {{ evidence_item('hukou_feed', 'hukou_record_key', "'hukou_district_code'", 'hukou_district_code',
                "'hukou registered outside Shenyang (2101)'") }}
                    )
            else '[]'::jsonb
        end
        || case when left_by_status
                then jsonb_build_array(
            {{ evidence_item('hukou_feed', 'hukou_record_key', "'status'", 'status',
                "'hukou status ' || status || ' since ' || " ~ iso_date('status_date')) }}
                    )
            else '[]'::jsonb
        end
        || case when settled_abroad
                then jsonb_build_array(
            {{ evidence_item('emigration_feed', 'emigration_record_key', "'settled_date'", iso_date('settled_date'),
                "'settled abroad'") }}
                    )
            else '[]'::jsonb
        end as facts,
        payments

    from checks
    where non_local_district or left_by_status or settled_abroad

),

{{ rule_warnings('W13') }}
