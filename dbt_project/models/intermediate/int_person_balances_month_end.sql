-- Bank balances at month-end (W09): one row per person and as_of_date (a month's last day), the
-- sum of the person's current snapshot balances across all banks and accounts, with the
-- accounts as evidence items (jsonb, by bank and account).

-- Incremental by (id_number, as_of_date) (macros/incremental_persons.sql): a build deletes and
-- recomputes the pairs of every delivery of the banks that delivered since the table's
-- watermark, for the as_of_dates they delivered (the earlier snapshot they replace included).

{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['id_number', 'as_of_date'],
        on_schema_change='fail',
        pre_hook=[
            "{{ capture_delivery_watermark(after=incremental_parents()) }}",
            "{{ delete_changed_balances() }}",
        ],
        post_hook=[
            "{{ unique_index(['id_number', 'as_of_date']) }}",
            "{{ not_null_columns(['id_number', 'as_of_date', 'balance_total']) }}",
            "{{ store_delivery_watermark() }}",
        ],
    )
}}

with

deposits as (

    select * from {{ ref('stg_jr__deposits') }}
    where
        id_number is not null
        and as_of_date is not null
        and {{ balance_changed('id_number', 'as_of_date') }}

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
