{#- Every identity-number column of every staging model: [model, column, optional]. optional: an
    empty value is not a finding there (a child's father or mother who is not named). -#}
{%- set id_columns = [
    ['stg_cl__disability_certs', 'id_number', false],
    ['stg_ga__deaths', 'id_number', false],
    ['stg_ga__detentions', 'id_number', false],
    ['stg_ga__emigrations', 'id_number', false],
    ['stg_ga__hukou', 'id_number', false],
    ['stg_ga__vehicles', 'owner_id_number', false],
    ['stg_jr__deposits', 'id_number', false],
    ['stg_mz__child_welfare_cases', 'child_id_number', false],
    ['stg_mz__child_welfare_cases', 'father_id_number', true],
    ['stg_mz__child_welfare_cases', 'mother_id_number', true],
    ['stg_mz__death_cremations', 'id_number', false],
    ['stg_mz__dibao_members', 'id_number', false],
    ['stg_mz__disability_subsidies', 'id_number', false],
    ['stg_mz__eldercare_claims', 'resident_id_number', false],
    ['stg_mz__elderly_allowances', 'id_number', false],
    ['stg_mz__marriages', 'person1_id_number', false],
    ['stg_mz__marriages', 'person2_id_number', false],
    ['stg_mz__payments', 'payee_id_number', false],
    ['stg_mz__staff', 'id_number', false],
    ['stg_mz__staff_relative_filings', 'relative_id_number', false],
    ['stg_mz__tekun_persons', 'id_number', false],
    ['stg_mz__temp_assistance_cases', 'id_number', false],
    ['stg_rs__contributions', 'id_number', false],
    ['stg_rs__medical_settlements', 'id_number', false],
    ['stg_rs__pensions', 'id_number', false],
    ['stg_rs__public_employees', 'id_number', false],
    ['stg_rs__unemployment_registrations', 'id_number', false],
    ['stg_sc__enterprises', 'legal_rep_id_number', false],
    ['stg_sc__individual_businesses', 'operator_id_number', false],
    ['stg_sc__shareholders', 'shareholder_id_number', false],
    ['stg_sf__community_corrections', 'id_number', false],
    ['stg_sf__dishonest_debtors', 'id_number', false],
    ['stg_sf__prisoners', 'id_number', false],
    ['stg_sw__income', 'id_number', false],
    ['stg_wj__death_certificates', 'id_number', false],
    ['stg_zj__expropriations', 'id_number', false],
    ['stg_zj__provident_fund_deposits', 'id_number', false],
    ['stg_zj__real_estate', 'owner_id_number', false],
] -%}

{#- Incremental by staging model (macros/incremental_persons.sql): a build deletes and selects
    anew the rows of the staging models whose raw tables have a delivery since the table's
    watermark (or one superseded since it); the other models' arms are not rendered. -#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook=[
            "{{ capture_delivery_watermark(after=incremental_parents()) }}",
            "{{ delete_staging_model_rows() }}",
        ],
        post_hook=["{{ store_delivery_watermark() }}"],
    )
}}
{%- set recompute = staging_models_to_recompute(id_columns | map(attribute=0) | unique | list) -%}
{%- set chosen = id_columns | selectattr(0, 'in', recompute) | list -%}

-- Every identity number in the staged feeds that is invalid after normalisation
-- (resident-id.md): the feed, the column, the raw value as delivered, the reason code of
-- util.id_number_issue, and the record (record_key, delivery) it came from. Such a number joins
-- nothing; it is listed here, never dropped. Columns that may legitimately be empty (a child's
-- father or mother who is not named) are not findings when empty.
-- A new staging model with identity numbers adds its columns to the list above.

with

invalid_numbers as (

    {% for id_column in chosen %}
        {{ dq_invalid_id_rows(id_column[0], id_column[1], optional=id_column[2]) }}
        {% if not loop.last %}union all{% endif %}
    {% else %}
        -- nothing to recompute: no row, same columns
        select * from ({{ dq_invalid_id_rows(id_columns[0][0], id_columns[0][1]) }}) as unchanged
        where false
    {% endfor %}

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
