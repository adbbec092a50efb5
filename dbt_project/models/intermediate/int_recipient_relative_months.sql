-- The paid months of W10/W11's programmes (dibao, tekun, orphan, unsupported_child,
-- disability_*, elderly_allowance, temp_assistance) whose recipient was also a recipient on the
-- case's approved_date and has a close relative among staff on that date
-- (int_case_recipient_relatives): one row per paid month, recipient, staff member and relation.
-- The rules choose the staff members (W10: the case's handler or approver; W11: unfiled relatives
-- in post in the case's district) and aggregate with the macro relative_flagged.
-- Carries what both rules' evidence needs: the staff member, the relation in words, the
-- relation's own evidence and the case's approval date as an evidence item.

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

)

select
    recipient_months.paid_month_key,
    recipient_months.program,
    recipient_months.case_ref,
    recipient_months.recipient_id_number,
    recipient_months.recipient_name,
    recipient_months.pay_month,
    recipient_months.recipient_amount,
    recipient_months.payments,
    relatives.staff_id,
    relatives.staff_id_number,
    relatives.staff_feed,
    relatives.staff_record_key,
    relatives.staff_district_code,
    relatives.staff_active_from,
    relatives.staff_active_to,
    relatives.case_district_code,
    relatives.approved_date,
    relatives.case_role,
    relatives.is_handler_or_approver,
    relatives.filing_record_key,
    relatives.relation,
    case relatives.relation
        when 'self' then 'own person'
        when 'spouse' then 'spouse'
        else 'hukou household member'
    end as relation_in_words,
    relatives.relation_evidence,
    {{ evidence_item('relatives.case_feed', 'relatives.case_record_key', "'approved_date'",
        iso_date('relatives.approved_date'), "'the case''s approval date'") }} as case_item

from recipient_months
inner join relatives
    on
        recipient_months.program = relatives.program
        and recipient_months.case_ref = relatives.case_ref
        and recipient_months.recipient_id_number = relatives.recipient_id_number
