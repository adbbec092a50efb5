-- 个人存款月末余额 (jr_deposit): the current version of every record.
-- Kind snapshot: a bank's (meta.deliveries.unit) delivery for an as_of_date replaces that bank's rows
-- of the same as_of_date, so only the rows of the latest delivery per (unit, as_of_date) count;
-- within it, the latest row per (unit, account_no, as_of_date) by line.
-- One of the three biggest feeds: an incremental table (macros/incremental_versions.sql, README
-- "Incremental models"). A daily build reads and normalises only the raw rows delivered since the
-- table's watermark: the pre-hook deletes every (unit, as_of_date) group for which a new delivery
-- is later than the stored one, and the model inserts the rows of the latest new delivery of
-- every group left without rows. delivery_sequence and delivery_line keep the version order.
{%- set mode = incremental_versions_mode('jr_deposit') %}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook=[
            "{{ capture_delivery_watermark() }}",
            "{{ reset_incremental_versions('jr_deposit') }}",
            "{{ delete_replaced_snapshots() }}",
        ],
        post_hook=[
            "{{ unique_index(['unit', 'account_no', 'as_of_date']) }}",
            "{{ not_null_columns(['record_key']) }}",
            "{{ store_delivery_watermark() }}",
        ],
    )
}}

with

source as (

    select * from {{ source('jr', 'deposit') }}
    {%- if mode == 'delta' %}
        where _delivery_id > {{ delivery_watermark() }}
    {%- endif %}

),

deliveries as (

    select
        delivery_id,
        unit

    from {{ source('meta', 'deliveries') }}

),

normalised as (

    select
        {{ normalize_id_number('source.id_number', as_of='_business_date') }} as id_number,
        source.id_number as id_number_raw,
        {{ id_number_issue('source.id_number', as_of='_business_date') }} as id_number_issue,
        source.account_no,
        source.product,
        source.balance,
        source.as_of_date,
        deliveries.unit,
        source._delivery_id as delivery_id,
        source._business_date as business_date,
        source._sequence as delivery_sequence,
        source._line as delivery_line

    from source
    left join deliveries
        on source._delivery_id = deliveries.delivery_id

),

-- the latest delivery of each bank for each as_of_date: its rows replace every earlier one
snapshot_deliveries as (

    {{ latest_version(
        'normalised', ['unit', 'as_of_date'], ['business_date desc', 'delivery_sequence desc', 'delivery_id desc'],
        columns='unit, as_of_date, delivery_id'
    ) }}

),
{%- if mode == 'delta' %}

    -- the groups the table holds after the pre-hook
    stored_groups as (

        select distinct
            unit,
            as_of_date,
            true as is_stored

        from {{ this }}

    ),

    -- new deliveries only replace the groups the pre-hook emptied (or new groups); a group that
    -- still has rows keeps its stored delivery, which is later
    replacing_deliveries as (

        select snapshot_deliveries.*

        from snapshot_deliveries
        left join stored_groups
            on {{ same_snapshot_group('stored_groups', 'snapshot_deliveries') }}
        where stored_groups.is_stored is null

    ),
{%- endif %}

current_rows as (

    select normalised.*

    from normalised
    inner join {{ 'replacing_deliveries' if mode == 'delta' else 'snapshot_deliveries' }} as snapshot_deliveries
        on
            normalised.delivery_id = snapshot_deliveries.delivery_id
            and {{ same_snapshot_group('normalised', 'snapshot_deliveries') }}

),

versions as (

    {{ latest_version('current_rows', ['unit', 'account_no', 'as_of_date']) }}

)

select
    'jr_deposit' as feed,
    {{ record_key([['account_no', 'versions.account_no'], ['as_of_date', 'versions.as_of_date']]) }} as record_key,
    versions.id_number,
    versions.id_number_raw,
    versions.id_number_issue,
    versions.account_no,
    versions.product,
    versions.balance,
    versions.as_of_date,
    versions.unit,
    versions.delivery_id,
    versions.business_date,
    versions.delivery_sequence,
    versions.delivery_line

from versions
