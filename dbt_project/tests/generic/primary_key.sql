{#-
  The column is a key: not null and unique, in one scan. It stands for the pair `unique` +
  `not_null`, which read a staging view (and so re-derive its latest versions) twice a build.
    data_tests: [primary_key]
-#}
{% test primary_key(model, column_name) %}

select
    {{ column_name }},
    count(*) as n_rows

from {{ model }}
group by {{ column_name }}
having count(*) > 1 or {{ column_name }} is null

{% endtest %}
