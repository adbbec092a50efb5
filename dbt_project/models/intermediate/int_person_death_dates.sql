-- One row per person (normalised identity number) with a death fact: the death date is the
-- earliest date across the death feeds (int_deaths_unioned). death_facts lists every fact as
-- a warning evidence item ({feed, record_key, field, value, note}), earliest first.

with

deaths as (

    select * from {{ ref('int_deaths_unioned') }}

),

ranked as (

    select
        *,
        row_number() over (
            partition by id_number
            order by death_date, feed_priority, record_key
        ) as fact_rank,
        count(*) over (partition by id_number) as fact_count

    from deaths

)

select
    id_number,
    min(death_date) as death_date,
    min(feed) filter (where fact_rank = 1) as death_date_feed,
    min(record_key) filter (where fact_rank = 1) as death_date_record_key,
    min(name) filter (where fact_rank = 1) as name,
    count(*)::integer as death_fact_count,
    jsonb_agg(
        jsonb_build_object(
            'feed', feed,
            'record_key', record_key,
            'field', death_date_field,
            'value', to_char(death_date, 'YYYY-MM-DD'),
            'note', case
                when fact_rank = 1 and fact_count = 1 then 'death date'
                when fact_rank = 1 then 'death date: the earliest of ' || fact_count || ' death facts'
                else 'another death fact of this person'
            end
        )
        order by fact_rank
    ) as death_facts

from ranked
group by id_number
