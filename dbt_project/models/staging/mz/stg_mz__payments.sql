-- 资金发放: the current version of every payment (greatest updated_at per payment_id).
-- mz_payment has no deleted column; status reversed is kept here (paid months filter it).
-- One of the three biggest feeds: a table, built once, not re-derived (identity normalisation,
-- latest version) by every model and test that reads it.
{{ config(materialized='table') }}

with

source as (

    select * from {{ source('mz', 'payment') }}

),

normalised as (

    select
        payment_id,
        program,
        case_ref,
        {{ normalize_id_number('payee_id_number', as_of='_business_date') }} as payee_id_number,
        payee_id_number as payee_id_number_raw,
        {{ id_number_issue('payee_id_number', as_of='_business_date') }} as payee_id_number_issue,
        pay_month,
        amount,
        paid_at,
        status,
        updated_at,
        _delivery_id as delivery_id,
        _business_date as business_date,
        _sequence as delivery_sequence,
        _line as delivery_line

    from source

),

versions as (

    {{ latest_version('normalised', ['payment_id'], updated_version_order()) }}

)

select
    'mz_payment' as feed,
    {{ record_key([['payment_id', 'payment_id']]) }} as record_key,
    payment_id,
    program,
    case_ref,
    payee_id_number,
    payee_id_number_raw,
    payee_id_number_issue,
    pay_month,
    amount,
    paid_at,
    status,
    updated_at,
    delivery_id,
    business_date

from versions
