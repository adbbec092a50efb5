-- W05 real_estate 有房产 (warning-rules.md): a paid dibao month M is flagged when the members of
-- members(h, M), together, hold during M any property with usage commercial or industrial, or
-- 2 or more distinct residential cert_no. Subject the payee; amount_at_risk: the amount.
-- Held during M: [registered_date, cancelled_date] during M (int_person_properties).

with

member_months as (

    select * from {{ ref('int_dibao_member_months') }}
    where
        member_id_number is not null
        and payee_id_number is not null

),

properties as (

    select * from {{ ref('int_person_properties') }}
    where usage in ('commercial', 'industrial', 'residential')

),

-- every member month with a property a member holds during it, no evidence built yet: most
-- members who own anything own one home, so most of these rows flag nothing
holdings as materialized (

    select
        member_months.paid_month_key,
        member_months.program,
        member_months.case_ref,
        member_months.payee_id_number,
        member_months.pay_month,
        member_months.amount,
        member_months.payments,
        member_months.member_id_number,
        properties.cert_no,
        properties.usage,
        properties.from_date,
        properties.to_date,
        properties.feed,
        properties.record_key

    from member_months
    inner join properties
        on
            member_months.member_id_number = properties.id_number
            and properties.from_date <= (member_months.pay_month + interval '1 month - 1 day')::date
            and (properties.to_date is null or member_months.pay_month <= properties.to_date)

),

-- the paid months the rule holds for, decided before any evidence is built; "2 or more distinct
-- residential cert_no" as min <> max (byte order, "C"), so that a hash aggregate can decide it
held_months as (

    select
        paid_month_key,
        program,
        case_ref,
        payee_id_number,
        pay_month

    from holdings
    group by paid_month_key, program, case_ref, payee_id_number, pay_month
    having
        bool_or(usage in ('commercial', 'industrial'))
        or min(cert_no collate "C") filter (where usage = 'residential')
        <> max(cert_no collate "C") filter (where usage = 'residential')

),

flagged as (

    select
        held_months.paid_month_key,
        held_months.program,
        held_months.case_ref,
        held_months.payee_id_number as subject_id_number,
        null::text as subject_name,
        held_months.pay_month,
        min(holdings.amount) as amount_at_risk,
        jsonb_agg(
            {{ evidence_item('holdings.feed', 'holdings.record_key', "'usage'", 'holdings.usage',
                "'held by member ' || holdings.member_id_number || ' from ' || " ~ iso_date('holdings.from_date')
                ~ " || coalesce(' to ' || " ~ iso_date('holdings.to_date') ~ ", '')") }}
            order by holdings.usage, holdings.cert_no
        ) as facts,
        (array_agg(holdings.payments))[1] as payments

    from held_months
    inner join holdings
        on
            held_months.paid_month_key = holdings.paid_month_key
            and held_months.program = holdings.program
            and held_months.case_ref = holdings.case_ref
            and held_months.payee_id_number = holdings.payee_id_number
            and held_months.pay_month = holdings.pay_month
    group by
        held_months.paid_month_key,
        held_months.program,
        held_months.case_ref,
        held_months.payee_id_number,
        held_months.pay_month

),

{{ rule_warnings('W05') }}
