{#-
  The columns together are unique (no dbt_utils here: no package hub).
    data_tests:
      - unique_combination_of_columns:
          arguments:
            combination_of_columns: [program, case_ref]
  group by puts nulls together, so rows with equal values and nulls in the same columns count as duplicates.
-#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

select
    {{ combination_of_columns | join(', ') }},
    count(*) as n_rows

from {{ model }}
group by {{ combination_of_columns | join(', ') }}
having count(*) > 1

{% endtest %}
