-- Disability certificates (W16) of persons with a valid number: cl_disability_cert over
-- [issued_date, valid_until] (valid_until null = open), with status and grade. The feed has no
-- cancellation date: a cancelled certificate covers no month (W16 filters status = valid).
-- A table: W16 anti-joins every paid care month against it.

select
    id_number,
    cert_no,
    disability_type,
    grade,
    status,
    issued_date as from_date,
    valid_until as to_date,
    feed,
    record_key

from {{ ref('stg_cl__disability_certs') }}
where
    id_number is not null
    and issued_date is not null
