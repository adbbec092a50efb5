-- W11 unfiled_relative 关系保 (warning-rules.md): a paid month M of dibao, tekun, orphan,
-- unsupported_child, disability_*, elderly_allowance or temp_assistance is flagged for a
-- recipient of M who was also a recipient on the case's approved_date d (dibao: a member on both)
-- when a staff member in post on d (active_from <= d, active_to null or >= d), of the case's
-- district, is a close relative of that recipient on d, is not the case's handler or approver,
-- and has no mz_staff_relative_filing for that relative dated on or before d
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
    where
        not is_handler_or_approver
        and filing_record_key is null
        and staff_district_code = case_district_code
        and (staff_active_from is null or staff_active_from <= approved_date)
        and (staff_active_to is null or staff_active_to >= approved_date)

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
                "'staff member ' || relatives.staff_id || ' of the case''s district, in post, is the recipient''s '
                || case relatives.relation when 'self' then 'own person' when 'spouse' then 'spouse'
                else 'hukou household member' end || ' on the approval date ' || " ~ iso_date('relatives.approved_date')
                ~ " || ', with no relative filing on or before it'") }}
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

{{ rule_warnings('W11') }}
