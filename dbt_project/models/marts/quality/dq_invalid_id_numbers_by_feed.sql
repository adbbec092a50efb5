-- Counts of invalid identity numbers per feed, delivering unit, column and reason (from dq_invalid_id_numbers).

select
    feed,
    unit,
    id_column,
    reason,
    count(*)::integer as invalid_count,
    count(distinct raw_value)::integer as distinct_raw_values,
    min(business_date) as first_business_date,
    max(business_date) as last_business_date

from {{ ref('dq_invalid_id_numbers') }}
group by feed, unit, id_column, reason
