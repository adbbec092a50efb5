-- W08 public_employee 财政供养 (warning-rules.md): a paid dibao or tekun month M is flagged for a
-- recipient (dibao: members(h, M); tekun: the payee) employed during M in rs_public_employee
-- ([start_date, end_date] during M). Subject that recipient; amount_at_risk: the amount.

with

recipient_months as (

    select * from {{ ref('int_recipient_months') }}
    where program in ('dibao', 'tekun')

),

posts as (

    select * from {{ ref('int_person_public_employment') }}

),

flagged as (

    select
        recipient_months.paid_month_key,
        recipient_months.program,
        recipient_months.case_ref,
        recipient_months.recipient_id_number as subject_id_number,
        min(coalesce(recipient_months.recipient_name, posts.name)) as subject_name,
        recipient_months.pay_month,
        min(recipient_months.amount) as amount_at_risk,
        jsonb_agg(
            {{ evidence_item('posts.feed', 'posts.record_key', "'start_date'", iso_date('posts.from_date'),
                "'employed by ' || coalesce(posts.employer_name, '?') || ' from ' || " ~ iso_date('posts.from_date')
                ~ " || coalesce(' to ' || " ~ iso_date('posts.to_date') ~ ", '')") }}
            order by posts.from_date, posts.record_key
        ) as facts,
        (array_agg(recipient_months.payments))[1] as payments

    from recipient_months
    inner join posts
        on
            recipient_months.recipient_id_number = posts.id_number
            and posts.from_date <= (recipient_months.pay_month + interval '1 month - 1 day')::date
            and (posts.to_date is null or recipient_months.pay_month <= posts.to_date)
    group by
        recipient_months.paid_month_key,
        recipient_months.program,
        recipient_months.case_ref,
        recipient_months.recipient_id_number,
        recipient_months.pay_month

),

{{ rule_warnings('W08') }}
