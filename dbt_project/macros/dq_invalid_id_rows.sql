{#-
  One select of the invalid identity numbers of one column of one staging model, in the shape
  of quality.dq_invalid_id_numbers. The staging model must carry <column>, <column>_raw and
  <column>_issue (the staging convention), feed, record_key, delivery_id and business_date.

  optional=true: the column may legitimately be empty (e.g. a child's father who is not named),
  so an empty value is not a finding there.
-#}
{% macro dq_invalid_id_rows(model_name, column, optional=false) -%}
    select
        feed,
        '{{ column }}' as id_column,
        {{ column }}_raw as raw_value,
        {{ column }}_issue as reason,
        delivery_id,
        business_date,
        record_key,
        '{{ model_name }}' as staging_model
    from {{ ref(model_name) }}
    where
        {{ column }}_issue is not null
        {%- if optional %}
        and {{ column }}_issue <> 'empty'
        {%- endif %}
{%- endmacro %}
