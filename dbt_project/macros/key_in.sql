{#- SQL boolean: `column` is one of the keys `query` (one column) returns. When the model is
    executed the query is run once, as the model is rendered, and its keys are written into the
    SQL as a literal list: the planner then knows there are few of them and reads the table by
    its lookup index. With the same keys as an `in (subquery)`, it guessed from the raw tables'
    statistics (stale right after a load) and could join every row of the table before filtering
    (fct_household_months: 26 s for 1,013 rows on a city delta, 0.5 s with the list). A query
    returning more than `limit` keys stays a subquery (then a scan is the right plan anyway);
    none renders `false`. For WHERE clauses: a null key is left out (it matches nothing there). -#}
{% macro key_in(column, query, limit=20000) -%}
    {%- if not execute -%}
    {{ column }} in ({{ query }})
    {%- else -%}
    {%- set keys = run_query(
        "select distinct k::text from (" ~ query ~ ") as keys (k) where k is not null limit " ~ (limit + 1)
    ).columns[0].values() -%}
    {%- if keys | length > limit -%}
    {{ column }} in ({{ query }})
    {%- elif keys | length == 0 -%}
    false
    {%- else -%}
    {{ column }} in (
        {%- for key in keys | sort %}'{{ key | replace("'", "''") }}'{% if not loop.last %}, {% endif %}{% endfor -%}
    )
    {%- endif -%}
    {%- endif -%}
{%- endmacro %}
