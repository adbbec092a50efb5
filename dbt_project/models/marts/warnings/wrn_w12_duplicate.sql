-- W12 duplicate 重复保 (warning-rules.md): a recipient of a paid month M (dibao: members(h, M);
-- tekun, orphan, unsupported_child: the payee) who is also a recipient of a paid month M under
-- another case_ref of the same programme, or under the other programme of a pair that exclude
-- each other ({dibao, tekun}, {orphan, unsupported_child}). The warning goes to every such case
-- but the one approved first (ties, and cases without an approved_date last: the smaller
-- case_ref counts as first). Subject that recipient; amount_at_risk: that case's amount
-- (dibao: the share).

with

-- the recipients with two or more distinct cases (of these programmes), ever: only their rows can be
-- flagged (a ranking partition with one case flags nothing), so the ranking below reads their rows
-- alone, not every paid month. Narrow columns and a small hash aggregate (case_ref is never null;
-- min <> max in the "C" collation, byte order, is "two or more distinct values" without a locale
-- comparison per row); materialized, so that it is computed once and the rows are found by a hash
-- semi-join.
candidate_recipients as materialized (

    select recipient_id_number

    from {{ ref('int_recipient_months') }}
    where program in ('dibao', 'tekun', 'orphan', 'unsupported_child')
    group by recipient_id_number
    having
        min(program collate "C") <> max(program collate "C")
        or min(case_ref collate "C") <> max(case_ref collate "C")

),

recipient_months as (

    select
        *,
        case when program in ('dibao', 'tekun') then 'dibao_tekun' else 'orphan_unsupported' end as exclusion_group

    from {{ ref('int_recipient_months') }}
    where
        program in ('dibao', 'tekun', 'orphan', 'unsupported_child')
        and recipient_id_number in (select candidate_recipients.recipient_id_number from candidate_recipients)

),

cases as (

    select * from {{ ref('int_cases_unioned') }}
    where program in ('dibao', 'tekun', 'orphan', 'unsupported_child')

),

recipient_cases as (

    select
        recipient_months.*,
        cases.approved_date,
        cases.case_feed,
        cases.case_record_key,
        dense_rank() over (
            partition by
                recipient_months.recipient_id_number, recipient_months.pay_month, recipient_months.exclusion_group
            order by cases.approved_date asc nulls last, recipient_months.case_ref asc, recipient_months.program asc
        ) as case_rank

    from recipient_months
    left join cases
        on
            recipient_months.program = cases.program
            and recipient_months.case_ref = cases.case_ref

),

-- the number of distinct cases of the recipient, month and exclusion group (dense ranks are 1..n)
ranked_cases as (

    select
        *,
        max(case_rank) over (partition by recipient_id_number, pay_month, exclusion_group) as case_count

    from recipient_cases

),

first_cases as (

    select distinct
        recipient_id_number,
        pay_month,
        exclusion_group,
        program,
        case_ref,
        approved_date,
        case_feed,
        case_record_key

    from ranked_cases
    where case_rank = 1

),

flagged as (

    select
        recipient_cases.paid_month_key,
        recipient_cases.program,
        recipient_cases.case_ref,
        recipient_cases.recipient_id_number as subject_id_number,
        recipient_cases.recipient_name as subject_name,
        recipient_cases.pay_month,
        recipient_cases.recipient_amount as amount_at_risk,
        jsonb_build_array(
            {{ evidence_item('first_cases.case_feed', 'first_cases.case_record_key', "'approved_date'",
                "coalesce(" ~ iso_date('first_cases.approved_date') ~ ", '')",
                "'also a recipient in ' || to_char(recipient_cases.pay_month, 'YYYY-MM') || ' of ' || first_cases.program
                || ' ' || first_cases.case_ref || ', approved first'") }},
            {{ evidence_item('recipient_cases.case_feed', 'recipient_cases.case_record_key', "'approved_date'",
                "coalesce(" ~ iso_date('recipient_cases.approved_date') ~ ", '')",
                "'this case, approved later'") }}
        ) as facts,
        recipient_cases.payments

    from ranked_cases as recipient_cases
    inner join first_cases
        on
            recipient_cases.recipient_id_number = first_cases.recipient_id_number
            and recipient_cases.pay_month = first_cases.pay_month
            and recipient_cases.exclusion_group = first_cases.exclusion_group
    where
        recipient_cases.case_count >= 2
        and recipient_cases.case_rank > 1

),

{{ rule_warnings('W12') }}
