-- 个人存款月末余额 (jr_deposit): the current version of every record.
-- Kind snapshot: a bank's (meta.deliveries.unit) delivery for an as_of_date replaces that bank's rows
-- of the same as_of_date, so only the rows of the latest delivery per (unit, as_of_date) count;
-- within it, the latest row per (unit, account_no, as_of_date) by line.
-- One of the three biggest feeds: a table, built once, not re-derived (identity normalisation,
-- latest version) by every model and test that reads it.
{{ config(materialized='table') }}

with

source as (

    select * from {{ source('jr', 'deposit') }}

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

current_rows as (

    select normalised.*

    from normalised
    inner join snapshot_deliveries
        on
            normalised.delivery_id = snapshot_deliveries.delivery_id
            and normalised.unit is not distinct from snapshot_deliveries.unit
            and normalised.as_of_date is not distinct from snapshot_deliveries.as_of_date

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
    versions.business_date

from versions
