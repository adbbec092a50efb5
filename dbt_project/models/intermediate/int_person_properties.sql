-- Property held (W05): a zj_real_estate certificate is held by its owner over
-- [registered_date, cancelled_date] (cancelled_date null = still held). Valid numbers only.

select
    owner_id_number as id_number,
    cert_no,
    usage,
    share_ratio,
    area_m2,
    district_code,
    registered_date as from_date,
    cancelled_date as to_date,
    feed,
    record_key

from {{ ref('stg_zj__real_estate') }}
where
    owner_id_number is not null
    and registered_date is not null
