{#-
  on-run-start: refresh planner statistics of the declared source tables that changed enough since
  their last ANALYZE.

  The loaders fill raw.* just before the nightly dbt build, before autovacuum has analysed the
  new rows. Staging views deduplicate with `distinct on`, whose row estimate comes from the key's
  statistics: without them PostgreSQL guesses 200 rows for a million-row feed and picks nested
  loops that never finish. A table is analysed when it never was, or when more rows changed since
  than autovacuum's own threshold (50 + 10 % of its rows, PostgreSQL's defaults): a delta day's
  few rows do not move the statistics, and ANALYZE of all 38 feeds took ~4 s of every build at
  city size, before any model could start. A table the user does not own is skipped by
  PostgreSQL with a warning, not an error.
-#}
{% macro analyze_sources() %}
    {%- set relations = [] -%}
    {%- if execute -%}
        {%- set names = [] -%}
        {%- for node in graph.sources.values() -%}
            {%- do names.append(node.schema ~ '.' ~ node.identifier) -%}
        {%- endfor -%}
        {%- set stale -%}
            select format('%I.%I', schemaname, relname)
            from pg_stat_user_tables
            where
                schemaname || '.' || relname in ('{{ names | join("', '") }}')
                and (
                    coalesce(last_analyze, last_autoanalyze) is null
                    or n_mod_since_analyze > 50 + 0.1 * n_live_tup
                )
            order by 1
        {%- endset -%}
        {%- for row in run_query(stale).rows -%}
            {%- do relations.append(row[0]) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if relations -%}
        analyze {{ relations | join(', ') }}
    {%- else -%}
        select 1
    {%- endif -%}
{% endmacro %}
