-- Bank balances at month-end (W09): one row per person and as_of_date (a month's last day), the
-- sum of the person's current snapshot balances across all banks and accounts, with the
-- accounts as evidence items (jsonb, by bank and account).

with

deposits as (

    select * from {{ ref('stg_jr__deposits') }}
    where
        id_number is not null
        and as_of_date is not null

)

select
    id_number,
    as_of_date,
    sum(coalesce(balance, 0))::numeric(18, 2) as balance_total,
    count(*)::integer as account_count,
    jsonb_agg(
        {{ evidence_item('feed', 'record_key', "'balance'", yuan('balance'),
            "'balance at ' || " ~ iso_date('as_of_date') ~ " || ' (' || coalesce(unit, '?') || ', ' || coalesce(product, '?') || ')'") }}
        order by unit, account_no
    ) as accounts

from deposits
group by id_number, as_of_date
