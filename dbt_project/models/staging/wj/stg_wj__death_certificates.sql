-- 死亡医学证明 (wj_death_certificate): the current version of every certificate, i.e. the
-- latest row per certificate_no by (business date, sequence, line).

with

source as (

    select * from {{ source('wj', 'death_certificate') }}

),

normalised as (

    select
        certificate_no,
        {{ normalize_id_number('id_number', as_of='_business_date') }} as id_number,
        id_number as id_number_raw,
        {{ id_number_issue('id_number', as_of='_business_date') }} as id_number_issue,
        name,
        death_date,
        institution,
        _delivery_id as delivery_id,
        _business_date as business_date,
        _sequence as delivery_sequence,
        _line as delivery_line

    from source

),

versions as (

    {{ latest_version('normalised', ['certificate_no']) }}

)

select
    'wj_death_certificate' as feed,
    {{ record_key([['certificate_no', 'certificate_no']]) }} as record_key,
    certificate_no,
    id_number,
    id_number_raw,
    id_number_issue,
    name,
    death_date,
    institution,
    delivery_id,
    business_date

from versions
