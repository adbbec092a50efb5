-- W09 deposits 存款超标 (warning-rules.md): a paid dibao month M is flagged when the balances of
-- members(h, M) in all banks at the last day of the month before M sum to more than
-- 24 x standard(M, area) x n(h, M) (fct_household_months). Subject the payee; amount_at_risk:
-- the amount.

with

household_months as (

    select * from {{ ref('fct_household_months') }}
    where
        deposits_exceed_limit
        and payee_id_number is not null

),

flagged as (

    select
        paid_month_key,
        'dibao' as program,
        household_id as case_ref,
        payee_id_number as subject_id_number,
        null::text as subject_name,
        pay_month,
        amount as amount_at_risk,
        jsonb_build_array(
            {{ evidence_item("'mz_dibao_household'", "'household_id=' || household_id", "'area_type'", 'area_type',
                "'members'' balances on ' || " ~ iso_date('balance_as_of_date') ~ " || ': ' || " ~ yuan('household_balance')
                ~ " || ' > 24 x ' || " ~ yuan('dibao_standard') ~ " || ' x ' || n_members || ' = ' || " ~ yuan('deposit_limit')) }}
        ) || balance_evidence as facts,
        payments

    from household_months

),

{{ rule_warnings('W09') }}
