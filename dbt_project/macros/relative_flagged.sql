{#-
  The `flagged` CTE of W10 and W11 (see rule_warnings): one row per paid month and recipient from
  `relatives`, rows of int_recipient_relative_months the rule chose, with a column `staff_note`
  (the rule's words for the staff member's evidence item). Facts: one item per staff member and
  relation (the staff member's identity number with the note), the case's approval date, then
  the relations' own evidence (marriage registration, hukou households).

    flagged as (
        {{ relative_flagged('relatives') }}
    ),
-#}
{% macro relative_flagged(relatives) -%}
    select
        paid_month_key,
        program,
        case_ref,
        recipient_id_number as subject_id_number,
        min(recipient_name) as subject_name,
        pay_month,
        min(recipient_amount) as amount_at_risk,
        jsonb_agg(
            {{ evidence_item('staff_feed', 'staff_record_key', "'id_number'", 'staff_id_number', 'staff_note') }}
            order by staff_id, relation
        )
        || min(case_item::text)::jsonb
        || jsonb_path_query_array(jsonb_agg(relation_evidence order by staff_id, relation), '$[*][*]') as facts,
        (array_agg(payments))[1] as payments

    from {{ relatives }}
    group by
        paid_month_key,
        program,
        case_ref,
        recipient_id_number,
        pay_month
{%- endmacro %}
