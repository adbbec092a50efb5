-- Enterprise roles (W07), one row per role of a person with a valid number:
--   legal_representative of an sc_enterprise (the role has no dates of its own: it holds while
--     the enterprise exists);
--   shareholder of an sc_enterprise over [since_date, until_date];
--   operator of an sc_individual_business (no dates of its own).
-- role_from/role_to: the role's own interval (null = unbounded); active_from/active_to: the
-- entity's active interval: an enterprise from established_date until status_date unless
-- status = active; an individual business from established_date until cancelled_date.
-- W07 needs both during M.

with

enterprises as (

    select * from {{ ref('stg_sc__enterprises') }}

),

shareholders as (

    select * from {{ ref('stg_sc__shareholders') }}

),

enterprises_for_shareholders as (

    select * from {{ ref('stg_sc__enterprises') }}

),

individual_businesses as (

    select * from {{ ref('stg_sc__individual_businesses') }}

),

legal_representatives as (

    select
        legal_rep_id_number as id_number,
        'legal_representative' as role,
        'sc_enterprise' as entity_feed,
        uscc as entity_id,
        name as entity_name,
        null::date as role_from,
        null::date as role_to,
        established_date as active_from,
        case when status = 'active' then null else status_date end as active_to,
        feed as role_feed,
        record_key as role_record_key,
        record_key as entity_record_key

    from enterprises
    where legal_rep_id_number is not null

),

shareholdings as (

    select
        shareholders.shareholder_id_number as id_number,
        'shareholder' as role,
        'sc_enterprise' as entity_feed,
        shareholders.uscc as entity_id,
        enterprises_for_shareholders.name as entity_name,
        shareholders.since_date as role_from,
        shareholders.until_date as role_to,
        enterprises_for_shareholders.established_date as active_from,
        case
            when enterprises_for_shareholders.status = 'active' then null
            else enterprises_for_shareholders.status_date
        end as active_to,
        shareholders.feed as role_feed,
        shareholders.record_key as role_record_key,
        enterprises_for_shareholders.record_key as entity_record_key

    from shareholders
    inner join enterprises_for_shareholders
        on shareholders.uscc = enterprises_for_shareholders.uscc
    where shareholders.shareholder_id_number is not null

),

operators as (

    select
        operator_id_number as id_number,
        'individual_business_operator' as role,
        'sc_individual_business' as entity_feed,
        registration_no as entity_id,
        business_name as entity_name,
        null::date as role_from,
        null::date as role_to,
        established_date as active_from,
        cancelled_date as active_to,
        feed as role_feed,
        record_key as role_record_key,
        record_key as entity_record_key

    from individual_businesses
    where operator_id_number is not null

)

select * from legal_representatives
union all
select * from shareholdings
union all
select * from operators
