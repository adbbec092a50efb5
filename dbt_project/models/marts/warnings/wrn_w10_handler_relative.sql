-- W10 handler_relative 人情保 (warning-rules.md): a paid month M of dibao, tekun, orphan,
-- unsupported_child, disability_*, elderly_allowance or temp_assistance is flagged for a
-- recipient of M who was also a recipient on the case's approved_date (dibao: a member on both)
-- when the case's handler or approver is a close relative of that recipient on approved_date
-- (int_case_recipient_relatives). Subject that recipient; amount_at_risk: dibao the share,
-- others the amount.

with

recipient_months as (

    select * from {{ ref('int_recipient_months') }}
    where program in (
            'dibao', 'tekun', 'orphan', 'unsupported_child', 'disability_living', 'disability_care',
            'elderly_allowance', 'temp_assistance'
        )

),

relatives as (

    select * from {{ ref('int_case_recipient_relatives') }}
    where is_handler_or_approver

),

flagged as (

    select
        recipient_months.paid_month_key,
        recipient_months.program,
        recipient_months.case_ref,
        recipient_months.recipient_id_number as subject_id_number,
        min(recipient_months.recipient_name) as subject_name,
        recipient_months.pay_month,
        min(recipient_months.recipient_amount) as amount_at_risk,
        jsonb_agg(
            {{ evidence_item('relatives.staff_feed', 'relatives.staff_record_key', "'id_number'",
                'relatives.staff_id_number',
                "'the case''s ' || relatives.case_role || ' ' || relatives.staff_id || ' is the recipient''s '
                || case relatives.relation when 'self' then 'own person' when 'spouse' then 'spouse'
                else 'hukou household member' end || ' on the approval date ' || " ~ iso_date('relatives.approved_date')) }}
            order by relatives.staff_id, relatives.relation
        ) || min(
            {{ evidence_item('relatives.case_feed', 'relatives.case_record_key', "'approved_date'",
                iso_date('relatives.approved_date'), "'the case''s approval date'") }}::text
        )::jsonb || jsonb_path_query_array(jsonb_agg(relatives.relation_evidence), '$[*][*]') as facts,
        (array_agg(recipient_months.payments))[1] as payments

    from recipient_months
    inner join relatives
        on
            recipient_months.program = relatives.program
            and recipient_months.case_ref = relatives.case_ref
            and recipient_months.recipient_id_number = relatives.recipient_id_number
    group by
        recipient_months.paid_month_key,
        recipient_months.program,
        recipient_months.case_ref,
        recipient_months.recipient_id_number,
        recipient_months.pay_month

),

{{ rule_warnings('W10') }}
