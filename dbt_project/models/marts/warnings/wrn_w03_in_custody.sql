-- W03 in_custody 服刑保 (warning-rules.md): a paid month M of any programme but temp_assistance
-- and eldercare_subsidy is flagged for a recipient (dibao: members(h, M); others: the payee)
-- with a custody interval (sf_prisoner [admitted_date, released_date]) that covers M:
-- admitted_date <= M_start and (released_date null or >= M_end). Subject that recipient.
-- amount_at_risk: dibao the share, others the amount.

with

recipient_months as (

    select * from {{ ref('int_recipient_months') }}
    where program not in ('temp_assistance', 'eldercare_subsidy')

),

custody as (

    select * from {{ ref('int_person_custody_intervals') }}

),

flagged as (

    select
        recipient_months.paid_month_key,
        recipient_months.program,
        recipient_months.case_ref,
        recipient_months.recipient_id_number as subject_id_number,
        min(coalesce(recipient_months.recipient_name, custody.name)) as subject_name,
        recipient_months.pay_month,
        min(recipient_months.recipient_amount) as amount_at_risk,
        jsonb_agg(
            {{ evidence_item('custody.feed', 'custody.record_key', "'admitted_date'", iso_date('custody.from_date'),
                "'in prison (' || coalesce(custody.prison, '?') || ') from ' || " ~ iso_date('custody.from_date')
                ~ " || coalesce(' to ' || " ~ iso_date('custody.to_date') ~ ", ', not released')") }}
            order by custody.from_date
        ) as facts,
        min(recipient_months.payments::text)::jsonb as payments

    from recipient_months
    inner join custody
        on
            recipient_months.recipient_id_number = custody.id_number
            and recipient_months.pay_month >= custody.from_date
            and (
                custody.to_date is null
                or custody.to_date >= (recipient_months.pay_month + interval '1 month - 1 day')::date
            )
    group by
        recipient_months.paid_month_key,
        recipient_months.program,
        recipient_months.case_ref,
        recipient_months.recipient_id_number,
        recipient_months.pay_month

),

{{ rule_warnings('W03') }}
