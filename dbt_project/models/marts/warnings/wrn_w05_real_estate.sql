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

holdings as (

    select
        member_months.paid_month_key,
        member_months.program,
        member_months.case_ref,
        member_months.payee_id_number,
        member_months.pay_month,
        member_months.amount,
        member_months.payments,
        properties.cert_no,
        properties.usage,
        {{ evidence_item('properties.feed', 'properties.record_key', "'usage'", 'properties.usage',
            "'held by member ' || member_months.member_id_number || ' from ' || " ~ iso_date('properties.from_date')
            ~ " || coalesce(' to ' || " ~ iso_date('properties.to_date') ~ ", '')") }} as item

    from member_months
    inner join properties
        on
            member_months.member_id_number = properties.id_number
            and properties.from_date <= (member_months.pay_month + interval '1 month - 1 day')::date
            and (properties.to_date is null or member_months.pay_month <= properties.to_date)

),

flagged as (

    select
        paid_month_key,
        program,
        case_ref,
        payee_id_number as subject_id_number,
        null::text as subject_name,
        pay_month,
        min(amount) as amount_at_risk,
        jsonb_agg(item order by usage, cert_no) as facts,
        (array_agg(payments))[1] as payments

    from holdings
    group by paid_month_key, program, case_ref, payee_id_number, pay_month
    having
        bool_or(usage in ('commercial', 'industrial'))
        or count(distinct cert_no) filter (where usage = 'residential') >= 2

),

{{ rule_warnings('W05') }}
