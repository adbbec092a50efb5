{#-
  on-run-start: refresh planner statistics of every declared source table that exists.

  The loaders fill raw.* just before the nightly dbt build, before autovacuum has analysed the
  new rows. Staging views deduplicate with `distinct on`, whose row estimate comes from the key's
  statistics: without them PostgreSQL guesses 200 rows for a million-row feed and picks nested
  loops that never finish. ANALYZE samples a fixed number of rows, so this costs seconds. A table
  the user does not own is skipped by PostgreSQL with a warning, not an error.
-#}
{% macro analyze_sources() %}
    {%- set relations = [] -%}
    {%- if execute -%}
        {%- for node in graph.sources.values() -%}
            {%- set relation = adapter.get_relation(
                database=node.database, schema=node.schema, identifier=node.identifier
            ) -%}
            {%- if relation is not none -%}
                {%- do relations.append(relation) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if relations -%}
        analyze {{ relations | join(', ') }}
    {%- else -%}
        select 1
    {%- endif -%}
{% endmacro %}
