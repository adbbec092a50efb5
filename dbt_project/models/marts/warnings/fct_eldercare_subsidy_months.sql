-- The auto-calculated eldercare operating subsidy (W14) of every institution and month: the claims
-- (not deleted, paid or not), the valid claims (none of W14 (a), (b), (c), a valid resident number
-- and a rate for the care level and year), the correct amount (valid claims at the standards.csv
-- eldercare_rate; a claim above the rate, (d), is valid but worth the rate), the claimed amount
-- (all claims) and the difference (claimed minus correct).

with

claims as (

    select * from {{ ref('int_eldercare_claims_judged') }}

)

select
    institution_id,
    min(institution_name) as institution_name,
    min(district_code) as district_code,
    claim_month,
    min(licensed_beds) as licensed_beds,
    count(*)::integer as claims,
    count(*) filter (where is_valid)::integer as valid_claims,
    count(*) filter (where is_resident_dead)::integer as claims_resident_dead,
    count(*) filter (where is_claimed_elsewhere)::integer as claims_claimed_elsewhere,
    count(*) filter (where is_beyond_beds)::integer as claims_beyond_beds,
    count(*) filter (where is_above_rate)::integer as claims_above_rate,
    coalesce(sum(rate) filter (where is_valid), 0)::numeric(18, 2) as correct_amount,
    coalesce(sum(claimed_amount), 0)::numeric(18, 2) as claimed_amount,
    (coalesce(sum(claimed_amount), 0) - coalesce(sum(rate) filter (where is_valid), 0))::numeric(18, 2)
        as difference

from (
    select
        *,
        (
            not is_resident_dead
            and not is_claimed_elsewhere
            and not is_beyond_beds
            and resident_id_number is not null
            and rate is not null
        ) as is_valid
    from claims
) as judged_claims
group by institution_id, claim_month
