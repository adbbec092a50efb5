-- 低保家庭成员: the current version of every (household_id, id_number), withdrawn rows out.
-- The key's identity number compares after normalisation (an invalid one: as delivered).

with

source as (

    select * from {{ source('mz', 'dibao_member') }}

),

normalised as (

    select
        household_id,
        {{ normalize_id_number('id_number', as_of='_business_date') }} as id_number,
        id_number as id_number_raw,
        {{ id_number_issue('id_number', as_of='_business_date') }} as id_number_issue,
        name,
        relation,
        joined_date,
        left_date,
        updated_at,
        deleted,
        _delivery_id as delivery_id,
        _business_date as business_date,
        _sequence as delivery_sequence,
        _line as delivery_line

    from source

),

versions as (

    {{ latest_version(
        'normalised', ['household_id', 'coalesce(id_number, id_number_raw)'], updated_version_order(),
        drop_deleted=true
    ) }}

)

select
    'mz_dibao_member' as feed,
    {{ record_key([['household_id', 'household_id'], ['id_number', 'coalesce(id_number, id_number_raw)']]) }}
        as record_key,
    household_id,
    id_number,
    id_number_raw,
    id_number_issue,
    name,
    relation,
    joined_date,
    left_date,
    updated_at,
    delivery_id,
    business_date

from versions
