{#- The rule models, in rule order. Adding a rule = one line here (same columns as W01). -#}
{%- set rule_models = [
    'wrn_w01_deceased_payee',
    'wrn_w02_deceased_member',
    'wrn_w03_in_custody',
    'wrn_w04_income',
    'wrn_w05_real_estate',
    'wrn_w06_vehicle',
    'wrn_w07_business',
    'wrn_w08_public_employee',
    'wrn_w09_deposits',
    'wrn_w10_handler_relative',
    'wrn_w11_unfiled_relative',
    'wrn_w12_duplicate',
    'wrn_w13_non_local',
    'wrn_w14_eldercare_claim',
    'wrn_w15_orphan_parent_alive',
    'wrn_w16_disability_mismatch',
    'wrn_w17_elderly_underage',
] -%}

-- Every current warning of every rule: one row per (rule, program, case_ref, subject), with its
-- stable warning_id, the rule's version, and the severity (the rule's own, raised to high when
-- amount_at_risk >= 10000). Revisions and withdrawals are kept downstream (push), not here.

with

rule_warnings as (

    {% for rule_model in rule_models %}
        select
            rule,
            program,
            case_ref,
            subject_type,
            subject_id_number,
            subject_institution_id,
            subject_name,
            district_code,
            period_start,
            period_end,
            months,
            amount_at_risk,
            handler_staff_id,
            approver_staff_id,
            evidence

        from {{ ref(rule_model) }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

rules as (

    select * from {{ ref('rules') }}

),

subjects as (

    select
        *,
        case subject_type
            when 'person' then subject_id_number
            when 'institution' then subject_institution_id
        end as subject

    from rule_warnings

)

select
    {{ warning_id('subjects.rule', 'subjects.program', 'subjects.case_ref', 'subjects.subject') }}::text
        as warning_id,
    subjects.rule::text as rule,
    rules.rule_version::text as rule_version,
    (case
        when subjects.amount_at_risk >= 10000 then 'high'
        else rules.severity
    end)::text as severity,
    subjects.program::text as program,
    subjects.case_ref::text as case_ref,
    subjects.subject::text as subject,
    subjects.subject_type::text as subject_type,
    subjects.subject_id_number::text as subject_id_number,
    subjects.subject_institution_id::text as subject_institution_id,
    subjects.subject_name::text as subject_name,
    subjects.district_code::text as district_code,
    subjects.period_start::date as period_start,
    subjects.period_end::date as period_end,
    subjects.months::integer as months,
    subjects.amount_at_risk::numeric(18, 2) as amount_at_risk,
    subjects.handler_staff_id::text as handler_staff_id,
    subjects.approver_staff_id::text as approver_staff_id,
    subjects.evidence::jsonb as evidence

from subjects
left join rules
    on subjects.rule = rules.rule
