-- W07 business 法人保 (warning-rules.md): a paid dibao or tekun month M is flagged for a recipient
-- (dibao: members(h, M); tekun: the payee) who is, during M, the legal representative of an
-- enterprise active during M, or a shareholder [since_date, until_date] of one, or the operator
-- of an individual business active during M (int_person_enterprise_roles: both the role and the
-- entity's activity must be during M). Subject that recipient; amount_at_risk: the amount
-- (for dibao too: the household's amount, not the share).

with

recipient_months as (

    select * from {{ ref('int_recipient_months') }}
    where program in ('dibao', 'tekun')

),

roles as (

    select * from {{ ref('int_person_enterprise_roles') }}

),

flagged as (

    select
        recipient_months.paid_month_key,
        recipient_months.program,
        recipient_months.case_ref,
        recipient_months.recipient_id_number as subject_id_number,
        min(recipient_months.recipient_name) as subject_name,
        recipient_months.pay_month,
        min(recipient_months.amount) as amount_at_risk,
        jsonb_agg(
            {{ evidence_item('roles.role_feed', 'roles.role_record_key', "'role'", 'roles.role',
                "roles.role || ' of ' || coalesce(roles.entity_name, roles.entity_id) || ', active from '
                || coalesce(" ~ iso_date('roles.active_from') ~ ", '?')
                || coalesce(' to ' || " ~ iso_date('roles.active_to') ~ ", '')") }}
            order by roles.role, roles.entity_id
        ) as facts,
        (array_agg(recipient_months.payments))[1] as payments

    from recipient_months
    inner join roles
        on
            recipient_months.recipient_id_number = roles.id_number
            and (
                roles.role_from is null
                or roles.role_from <= (recipient_months.pay_month + interval '1 month - 1 day')::date
            )
            and (roles.role_to is null or recipient_months.pay_month <= roles.role_to)
            and (
                roles.active_from is null
                or roles.active_from <= (recipient_months.pay_month + interval '1 month - 1 day')::date
            )
            and (roles.active_to is null or recipient_months.pay_month <= roles.active_to)
    group by
        recipient_months.paid_month_key,
        recipient_months.program,
        recipient_months.case_ref,
        recipient_months.recipient_id_number,
        recipient_months.pay_month

),

{{ rule_warnings('W07') }}
