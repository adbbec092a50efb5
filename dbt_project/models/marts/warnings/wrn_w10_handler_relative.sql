-- W10 handler_relative 人情保 (warning-rules.md): a paid month M of dibao, tekun, orphan,
-- unsupported_child, disability_*, elderly_allowance or temp_assistance is flagged for a
-- recipient of M who was also a recipient on the case's approved_date (dibao: a member on both)
-- when the case's handler or approver is a close relative of that recipient on approved_date
-- (int_recipient_relative_months). Subject that recipient; amount_at_risk: dibao the share,
-- others the amount.

with

relatives as (

    select
        *,
        'the case''s ' || case_role || ' ' || staff_id || ' is the recipient''s ' || relation_in_words
        || ' on the approval date ' || {{ iso_date('approved_date') }} as staff_note

    from {{ ref('int_recipient_relative_months') }}
    where is_handler_or_approver

),

flagged as (

    {{ relative_flagged('relatives') }}

),

{{ rule_warnings('W10') }}
