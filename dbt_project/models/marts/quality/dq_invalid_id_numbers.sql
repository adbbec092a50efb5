-- Every identity number in the staged feeds that is invalid after normalisation
-- (resident-id.md): the feed, the column, the raw value as delivered, the reason code of
-- util.id_number_issue, and the record (record_key, delivery) it came from. Such a number joins
-- nothing; it is listed here, never dropped. Columns that may legitimately be empty (a child's
-- father or mother who is not named) are not findings when empty.
-- A new staging model with identity numbers adds its columns here.

with

invalid_numbers as (

    {{ dq_invalid_id_rows('stg_mz__payments', 'payee_id_number') }}
    union all
    {{ dq_invalid_id_rows('stg_mz__dibao_members', 'id_number') }}
    union all
    {{ dq_invalid_id_rows('stg_mz__tekun_persons', 'id_number') }}
    union all
    {{ dq_invalid_id_rows('stg_mz__child_welfare_cases', 'child_id_number') }}
    union all
    {{ dq_invalid_id_rows('stg_mz__child_welfare_cases', 'father_id_number', optional=true) }}
    union all
    {{ dq_invalid_id_rows('stg_mz__child_welfare_cases', 'mother_id_number', optional=true) }}
    union all
    {{ dq_invalid_id_rows('stg_mz__disability_subsidies', 'id_number') }}
    union all
    {{ dq_invalid_id_rows('stg_mz__elderly_allowances', 'id_number') }}
    union all
    {{ dq_invalid_id_rows('stg_mz__temp_assistance_cases', 'id_number') }}
    union all
    {{ dq_invalid_id_rows('stg_mz__death_cremations', 'id_number') }}
    union all
    {{ dq_invalid_id_rows('stg_ga__deaths', 'id_number') }}
    union all
    {{ dq_invalid_id_rows('stg_wj__death_certificates', 'id_number') }}

),

deliveries as (

    select
        delivery_id,
        unit

    from {{ source('meta', 'deliveries') }}

)

select
    invalid_numbers.feed,
    deliveries.unit,
    invalid_numbers.id_column,
    invalid_numbers.raw_value,
    invalid_numbers.reason,
    invalid_numbers.record_key,
    invalid_numbers.delivery_id,
    invalid_numbers.business_date,
    invalid_numbers.staging_model

from invalid_numbers
left join deliveries
    on invalid_numbers.delivery_id = deliveries.delivery_id
