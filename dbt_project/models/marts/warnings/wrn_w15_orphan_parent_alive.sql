-- W15 orphan_parent_alive 孤儿父母健在 (warning-rules.md): a paid orphan month M is flagged when the
-- child's father or mother is named (a valid identity number on the case), has no death date
-- <= M_end, is normal in ga_hukou, and has no custody during M. Subject the child (the case's
-- child); amount_at_risk: the amount. A parent whose number is invalid matches nothing (it is
-- in quality.dq_invalid_id_numbers), so cannot be shown normal in ga_hukou.

with

paid_months as (

    select * from {{ ref('int_paid_months_aggregated') }}
    where program = 'orphan'

),

parents as (

    select * from {{ ref('int_child_welfare_parents') }}
    where
        program = 'orphan'
        and child_id_number is not null

),

hukou as (

    select * from {{ ref('int_person_hukou') }}
    where status = 'normal'

),

death_dates as (

    select * from {{ ref('int_person_death_dates') }}

),

custody as (

    select * from {{ ref('int_person_custody_intervals') }}

),

living_parents as (

    select
        paid_months.paid_month_key,
        paid_months.program,
        paid_months.case_ref,
        parents.child_id_number,
        parents.child_name,
        paid_months.pay_month,
        paid_months.amount,
        paid_months.payments,
        parents.parent_role,
        jsonb_build_array(
            {{ evidence_item('parents.feed', 'parents.record_key', "parents.parent_role || '_id_number'",
                'parents.parent_id_number',
                "'the child''s ' || parents.parent_role || ' is named'") }},
            {{ evidence_item('hukou.feed', 'hukou.record_key', "'status'", 'hukou.status',
                "'the ' || parents.parent_role || ' is normal in the hukou register, with no death date by the month''s end and not in prison during it'") }}
        ) as items

    from paid_months
    inner join parents
        on paid_months.case_ref = parents.case_id
    inner join hukou
        on parents.parent_id_number = hukou.id_number
    left join death_dates
        on
            parents.parent_id_number = death_dates.id_number
            and death_dates.death_date <= (paid_months.pay_month + interval '1 month - 1 day')::date
    where
        death_dates.id_number is null
        and not exists (
            select 1
            from custody
            where
                custody.id_number = parents.parent_id_number
                and custody.from_date <= (paid_months.pay_month + interval '1 month - 1 day')::date
                and (custody.to_date is null or custody.to_date >= paid_months.pay_month)
        )

),

flagged as (

    select
        paid_month_key,
        program,
        case_ref,
        child_id_number as subject_id_number,
        min(child_name) as subject_name,
        pay_month,
        min(amount) as amount_at_risk,
        jsonb_path_query_array(jsonb_agg(items order by parent_role), '$[*][*]') as facts,
        (array_agg(payments))[1] as payments

    from living_parents
    group by paid_month_key, program, case_ref, child_id_number, pay_month

),

{{ rule_warnings('W15') }}
