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

-- Every identity number in the staged feeds that is invalid after normalisation
-- (resident-id.md): the feed, the column, the raw value as delivered, the reason code of
-- util.id_number_issue, and the record (record_key, delivery) it came from. Such a number joins
-- nothing; it is listed here, never dropped. Columns that may legitimately be empty (a child's
-- father or mother who is not named) are not findings when empty.
-- A new staging model with identity numbers adds its columns to the list above.

with

invalid_numbers as (

    {% for id_column in id_columns %}
        {{ dq_invalid_id_rows(id_column[0], id_column[1], optional=id_column[2]) }}
        {% if not loop.last %}union all{% endif %}
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
