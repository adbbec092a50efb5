-- Every eldercare-subsidy claim not deleted (paid or not), judged by W14 (warning-rules.md):
--   (a) the resident's death date < claim_month;
--   (b) the resident is claimed by another institution for the same month: in a (resident, month)
--       with claims of 2 or more institutions, every claim but the smallest claim_id;
--   (c) the institution has more claims for the month than licensed_beds: the claims beyond the
--       first licensed_beds by claim_id;
--   (d) claimed_amount exceeds the rate (standards.csv eldercare_rate) for its care level and year.
-- is_valid: none of (a), (b), (c), a valid resident number and a known rate; its correct amount is
-- the rate ((d) claims are valid but worth the rate only).

with

claims as (

    select * from {{ ref('stg_mz__eldercare_claims') }}

),

institutions as (

    select * from {{ ref('stg_mz__eldercare_institutions') }}

),

rates as (

    select * from {{ ref('standards') }}
    where kind = 'eldercare_rate'

),

death_dates as (

    select * from {{ ref('int_person_death_dates') }}

),

ranked as (

    select
        claims.*,
        row_number() over (
            partition by claims.institution_id, claims.claim_month order by claims.claim_id
        ) as institution_month_rank,
        count(*) over (partition by claims.institution_id, claims.claim_month) as institution_month_claims,
        -- more than one institution claims the resident for the month
        min(claims.institution_id) over (partition by claims.resident_id_number, claims.claim_month)
        <> max(claims.institution_id) over (partition by claims.resident_id_number, claims.claim_month)
            as has_other_institution,
        min(claims.claim_id) over (
            partition by claims.resident_id_number, claims.claim_month
        ) as resident_month_first_claim_id

    from claims

)

select
    ranked.claim_id,
    ranked.feed,
    ranked.record_key,
    ranked.institution_id,
    institutions.name as institution_name,
    institutions.district_code,
    institutions.licensed_beds,
    institutions.record_key as institution_record_key,
    ranked.claim_month,
    ranked.resident_id_number,
    ranked.resident_id_number_raw,
    ranked.resident_name,
    ranked.care_level,
    ranked.claimed_amount,
    rates.value as rate,
    death_dates.death_date,
    death_dates.death_facts,
    ranked.institution_month_rank::integer as institution_month_rank,
    ranked.institution_month_claims::integer as institution_month_claims,
    coalesce(death_dates.death_date < ranked.claim_month, false) as is_resident_dead,
    (
        ranked.resident_id_number is not null
        and ranked.has_other_institution
        and ranked.claim_id <> ranked.resident_month_first_claim_id
    ) as is_claimed_elsewhere,
    case
        when
            ranked.resident_id_number is not null and ranked.has_other_institution
            then ranked.resident_month_first_claim_id
    end as first_claim_id,
    coalesce(ranked.institution_month_rank > institutions.licensed_beds, false) as is_beyond_beds,
    coalesce(ranked.claimed_amount > rates.value, false) as is_above_rate

from ranked
left join institutions
    on ranked.institution_id = institutions.institution_id
left join rates
    on
        ranked.care_level = rates.key
        and extract(year from ranked.claim_month) = rates.year
left join death_dates
    on ranked.resident_id_number = death_dates.id_number
