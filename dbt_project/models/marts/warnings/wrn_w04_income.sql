-- W04 income 有收入 (warning-rules.md): a paid dibao month M is flagged when the household's
-- per-person income in M exceeds standard(M, area), and so it did in the household's two latest
-- paid months before M. Subject the payee; amount_at_risk: the amount.
-- Income per person and month: int_person_income_months; per household: fct_household_months
-- (sum over members(h, M) / n(h, M)). A household with fewer than two paid months before M is
-- not flagged in M.

with

-- a flagged month and its two latest paid months before it exceed the standard: only a household
-- with three or more exceeding paid months can be flagged, so the history (a sort and a window over
-- every household month) and the join back are computed for those households alone, and whole
-- (the window is per household)
candidate_households as materialized (

    select household_id

    from {{ ref('fct_household_months') }}
    group by household_id
    having count(*) filter (where income_exceeds_standard) >= 3

),

household_months as (

    select * from {{ ref('fct_household_months') }}
    where household_id in (select candidate_households.household_id from candidate_households)

),

household_month_flags as (

    select distinct
        household_id,
        pay_month,
        income_exceeds_standard

    from {{ ref('fct_household_months') }}
    where household_id in (select candidate_households.household_id from candidate_households)

),

history as (

    select
        household_id,
        pay_month,
        income_exceeds_standard,
        lag(income_exceeds_standard, 1) over (partition by household_id order by pay_month) as exceeded_1_before,
        lag(income_exceeds_standard, 2) over (partition by household_id order by pay_month) as exceeded_2_before,
        lag(pay_month, 1) over (partition by household_id order by pay_month) as month_1_before,
        lag(pay_month, 2) over (partition by household_id order by pay_month) as month_2_before

    from household_month_flags

),

flagged as (

    select
        household_months.paid_month_key,
        'dibao' as program,
        household_months.household_id as case_ref,
        household_months.payee_id_number as subject_id_number,
        null::text as subject_name,
        household_months.pay_month,
        household_months.amount as amount_at_risk,
        jsonb_build_array(
            {{ evidence_item("'mz_dibao_household'", "'household_id=' || household_months.household_id", "'area_type'",
                'household_months.area_type',
                "'per-person income ' || " ~ yuan('household_months.per_person_income')
                ~ " || ' > standard ' || " ~ yuan('household_months.dibao_standard')
                ~ " || ' in ' || to_char(household_months.pay_month, 'YYYY-MM') || ' (' || household_months.n_members
                || ' members); also exceeded in ' || to_char(history.month_2_before, 'YYYY-MM') || ' and '
                || to_char(history.month_1_before, 'YYYY-MM')") }}
        ) || household_months.income_evidence as facts,
        household_months.payments

    from household_months
    inner join history
        on
            household_months.household_id = history.household_id
            and household_months.pay_month = history.pay_month
    where
        household_months.payee_id_number is not null
        and history.income_exceeds_standard
        and history.exceeded_1_before
        and history.exceeded_2_before

),

{{ rule_warnings('W04') }}
