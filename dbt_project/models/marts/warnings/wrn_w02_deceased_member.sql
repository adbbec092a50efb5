-- W02 deceased_member 死亡未减员 (warning-rules.md): a paid dibao month M is flagged for a member m
-- of members(h, M), m not the payee, whose death date is before M_start; subject m.
-- amount_at_risk per flagged month: the share (amount / n(h, M)).

with

member_months as (

    select * from {{ ref('int_dibao_member_months') }}
    where
        member_id_number is not null
        and not is_payee

),

death_dates as (

    select * from {{ ref('int_person_death_dates') }}

),

flagged as (

    select
        member_months.paid_month_key,
        member_months.program,
        member_months.case_ref,
        member_months.member_id_number as subject_id_number,
        coalesce(member_months.member_name, death_dates.name) as subject_name,
        member_months.pay_month,
        member_months.share as amount_at_risk,
        jsonb_build_array(
            {{ evidence_item('member_months.member_feed', 'member_months.member_record_key', "'joined_date'",
                iso_date('member_months.joined_date'),
                "'a member of the household (not the payee), still listed; the month is shared by '
                || member_months.n_members || ' members'") }}
        ) || death_dates.death_facts as facts,
        member_months.payments

    from member_months
    inner join death_dates
        on member_months.member_id_number = death_dates.id_number
    where death_dates.death_date < member_months.pay_month

),

{{ rule_warnings('W02') }}
