{#-
  Post-hook of every model: planner statistics for the table just built, before the next models
  join it (a fresh table has none until autovacuum reaches it). Views have nothing to analyze.
  An incremental table is analysed only when it never was or when more rows changed (before
  this build, plus this transaction's inserts, updates and deletes) than autovacuum's own
  threshold (50 + 10 % of its rows): a delta build changes a few rows of million-row tables,
  and re-analysing their jsonb evidence cost seconds a table (3.7 s for fct_household_months on
  the small city) for statistics that had not moved.
-#}
{% macro analyze_built_table() -%}
    {%- if model.config.materialized == 'table' -%}
    analyze {{ this }}
    {%- elif model.config.materialized == 'incremental' -%}
    do $$
    begin
        if coalesce((
            select
                coalesce(last_analyze, last_autoanalyze) is null
                or n_mod_since_analyze
                + pg_stat_get_xact_tuples_inserted(relid)
                + pg_stat_get_xact_tuples_updated(relid)
                + pg_stat_get_xact_tuples_deleted(relid)
                > 50 + 0.1 * n_live_tup
            from pg_stat_user_tables
            where relid = '{{ this }}'::regclass
        ), true) then
            execute 'analyze {{ this }}';
        end if;
    end
    $$
    {%- else -%}
    select 1
    {%- endif -%}
{%- endmacro %}
