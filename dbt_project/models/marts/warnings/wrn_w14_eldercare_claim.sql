-- W14 eldercare_claim 养老机构补贴 (warning-rules.md), from int_eldercare_claims_judged (every
-- claim not deleted, paid or not). months = 1, period = the claim month.
-- Per claim (program eldercare_subsidy, case_ref = claim_id, subject = the resident): (a) dead
-- resident, (b) claimed by another institution for the month, (d) above the rate; one warning per
-- claim however many hold. amount_at_risk: (a) or (b): the claimed amount; else (d): claimed
-- minus rate. A resident whose number is invalid matches nothing, so only (d) could hold, and a
-- warning needs a person subject: such claims are not warned (they are in the quality mart).
-- Per institution and month (case_ref = institution_id:YYYY-MM, subject = the institution):
-- (c) more claims than licensed_beds; the claims beyond the first licensed_beds by claim_id are
-- flagged; amount_at_risk: the sum of their claimed amounts.
-- district_code: the institution's.

with

claims as (

    select * from {{ ref('int_eldercare_claims_judged') }}

),

claims_beyond_beds as (

    select * from {{ ref('int_eldercare_claims_judged') }}
    where is_beyond_beds

),

claim_warnings as (

    select
        'W14' as rule,
        'eldercare_subsidy' as program,
        claim_id as case_ref,
        'person' as subject_type,
        resident_id_number as subject_id_number,
        null::text as subject_institution_id,
        resident_name as subject_name,
        district_code,
        claim_month as period_start,
        claim_month as period_end,
        1 as months,
        (case
            when is_resident_dead or is_claimed_elsewhere then claimed_amount
            else claimed_amount - rate
        end)::numeric(18, 2) as amount_at_risk,
        null::text as handler_staff_id,
        null::text as approver_staff_id,
        jsonb_build_array(
            {{ evidence_item('feed', 'record_key', "'claimed_amount'", yuan('claimed_amount'),
                "'claim of ' || institution_id || ' for ' || to_char(claim_month, 'YYYY-MM') || ', care level '
                || coalesce(care_level, '?') || coalesce(', rate ' || " ~ yuan('rate') ~ ", ', no rate')
                || ': ' || concat_ws(', ',
                    case when is_resident_dead then '(a) resident dead before the month' end,
                    case when is_claimed_elsewhere then '(b) also claimed by another institution (first claim '
                        || first_claim_id || ')' end,
                    case when is_above_rate then '(d) above the rate' end)") }}
        )
        || case when is_resident_dead then death_facts else '[]'::jsonb end
        || case when is_claimed_elsewhere
                then jsonb_build_array(
            {{ evidence_item("'mz_eldercare_claim'", "'claim_id=' || first_claim_id", "'resident_id_number'",
                'resident_id_number', "'the first claim for this resident and month (smallest claim_id)'") }}
                    )
            else '[]'::jsonb
        end as evidence

    from claims
    where
        resident_id_number is not null
        and (is_resident_dead or is_claimed_elsewhere or is_above_rate)

),

institution_warnings as (

    select
        'W14' as rule,
        'eldercare_subsidy' as program,
        institution_id || ':' || to_char(claim_month, 'YYYY-MM') as case_ref,
        'institution' as subject_type,
        null::text as subject_id_number,
        institution_id as subject_institution_id,
        min(institution_name) as subject_name,
        min(district_code) as district_code,
        claim_month as period_start,
        claim_month as period_end,
        1 as months,
        sum(claimed_amount)::numeric(18, 2) as amount_at_risk,
        null::text as handler_staff_id,
        null::text as approver_staff_id,
        jsonb_build_array(
            {{ evidence_item("'mz_eldercare_institution'", "min(institution_record_key)", "'licensed_beds'",
                'min(licensed_beds)', "min(institution_month_claims) || ' claims for ' || to_char(claim_month, 'YYYY-MM')
                || ', more than the ' || min(licensed_beds) || ' licensed beds'") }}
        ) || jsonb_path_query_array(
            jsonb_agg(
                {{ evidence_item('feed', 'record_key', "'claimed_amount'", yuan('claimed_amount'),
                    "'claim number ' || institution_month_rank || ' by claim_id, beyond the licensed beds'") }}
                order by claim_id
            ),
            '$[0 to 48]'
        ) as evidence

    from claims_beyond_beds
    group by institution_id, claim_month

)

select * from claim_warnings
union all
select * from institution_warnings
