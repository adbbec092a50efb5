-- W16 disability_mismatch 残补不符 (warning-rules.md): a paid month M is flagged
--   disability_care: when the payee has no cl_disability_cert with status = valid, grade <= 2 and
--     [issued_date, valid_until] during M (a cancelled certificate covers no month);
--   disability_living: when the payee is not a member of a 低保 household with a paid dibao month
--     M (int_dibao_member_months).
-- Subject the payee; amount_at_risk: the amount. A payee whose number is invalid matches nothing
-- and is not judged.

with

paid_months as (

    select * from {{ ref('int_paid_months_aggregated') }}
    where
        program in ('disability_care', 'disability_living')
        and payee_id_number is not null

),

certificates as (

    select * from {{ ref('int_person_disability_certificates') }}
    where
        status = 'valid'
        and grade <= 2

),

-- the payees' (person, month) pairs in which they are members of a household with a paid dibao month:
-- the member months of living-subsidy payees only (a hash semi-join on a few thousand persons), so
-- that the anti-join below hashes those and not every dibao member month
dibao_member_months as (

    select
        member_id_number,
        pay_month

    from {{ ref('int_dibao_member_months') }}
    where
        member_id_number in (
            select paid_months.payee_id_number
            from paid_months
            where paid_months.program = 'disability_living'
        )

),

cases as (

    select * from {{ ref('int_cases_unioned') }}
    where program in ('disability_care', 'disability_living')

),

-- each programme's condition as its own anti-join: PostgreSQL runs a lone NOT EXISTS as a hash
-- anti-join with a sound row estimate; under an OR it scans per month and misjudges the rest
uncovered_months as (

    select paid_months.*
    from paid_months
    where
        paid_months.program = 'disability_care'
        and not exists (
            select 1
            from certificates
            where
                certificates.id_number = paid_months.payee_id_number
                and certificates.from_date <= (paid_months.pay_month + interval '1 month - 1 day')::date
                and (certificates.to_date is null or certificates.to_date >= paid_months.pay_month)
        )

    union all

    select paid_months.*
    from paid_months
    where
        paid_months.program = 'disability_living'
        and not exists (
            select 1
            from dibao_member_months
            where
                dibao_member_months.member_id_number = paid_months.payee_id_number
                and dibao_member_months.pay_month = paid_months.pay_month
        )

),

flagged as (

    select
        paid_months.paid_month_key,
        paid_months.program,
        paid_months.case_ref,
        paid_months.payee_id_number as subject_id_number,
        cases.beneficiary_name as subject_name,
        paid_months.pay_month,
        paid_months.amount as amount_at_risk,
        jsonb_build_array(
            {{ evidence_item('cases.case_feed', 'cases.case_record_key', "'subsidy_type'",
                "case paid_months.program when 'disability_care' then 'care' else 'living' end",
                "case paid_months.program
                    when 'disability_care' then 'care subsidy, but no valid grade 1-2 disability certificate during '
                    else 'living subsidy, but not a member of a dibao household paid for ' end
                || to_char(paid_months.pay_month, 'YYYY-MM')") }}
        ) as facts,
        paid_months.payments

    from uncovered_months as paid_months
    left join cases
        on
            paid_months.program = cases.program
            and paid_months.case_ref = cases.case_ref

),

{{ rule_warnings('W16') }}
