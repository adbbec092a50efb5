-- W11 unfiled_relative 关系保 (warning-rules.md): a paid month M of dibao, tekun, orphan,
-- unsupported_child, disability_*, elderly_allowance or temp_assistance is flagged for a
-- recipient of M who was also a recipient on the case's approved_date d (dibao: a member on both)
-- when a staff member in post on d (active_from <= d, active_to null or >= d), of the case's
-- district, is a close relative of that recipient on d, is not the case's handler or approver,
-- and has no mz_staff_relative_filing for that relative dated on or before d
-- (int_recipient_relative_months). Subject that recipient; amount_at_risk: dibao the share,
-- others the amount.

with

relatives as (

    select
        *,
        'staff member ' || staff_id || ' of the case''s district, in post, is the recipient''s '
        || relation_in_words || ' on the approval date ' || {{ iso_date('approved_date') }}
        || ', with no relative filing on or before it' as staff_note

    from {{ ref('int_recipient_relative_months') }}
    where
        not is_handler_or_approver
        and filing_record_key is null
        and staff_district_code = case_district_code
        and (staff_active_from is null or staff_active_from <= approved_date)
        and (staff_active_to is null or staff_active_to >= approved_date)

),

flagged as (

    {{ relative_flagged('relatives') }}

),

{{ rule_warnings('W11') }}
