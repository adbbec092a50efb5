{#-
  The current version of every catalogue key (README "Current versions"): the body of a CTE that
  keeps one row per key, the first by `order_by` (the latest version), optionally without the
  rows whose current version is withdrawn (`deleted = true`: as if never entered).

    versions as (
        {{ latest_version('normalised', ['coalesce(id_number, id_number_raw)']) }}
    )

  relation: a CTE name or a relation; key_columns: SQL expressions (identity-number keys as
  coalesce(normalised, raw)); order_by: the version order, latest first, default
  delivery_version_order() (file and API feeds); db feeds (mz_*) pass
  updated_version_order() (greatest updated_at first). Pass raw_columns=true when the relation
  still has raw's names (_business_date, ...) instead of the staging names.

  Written as `select distinct on (key) ... order by key, version desc`, not a rank filter: the
  planner estimates `distinct on` from the key's statistics.
-#}
{% macro latest_version(relation, key_columns, order_by=none, drop_deleted=false, columns='*', raw_columns=false) -%}
    {%- set keys = [key_columns] if key_columns is string else key_columns -%}
    {%- set order = order_by if order_by is not none else delivery_version_order(raw_columns) -%}
    {%- if drop_deleted %}
    select latest.*
    from (
    {%- endif %}
    select distinct on ({{ keys | join(', ') }}) {{ columns }}

    from {{ relation }}
    order by
        {% for key in keys -%}
        {{ key }} asc,
        {% endfor -%}
        {{ order | join(',\n        ') }}
    {%- if drop_deleted %}
    ) as latest
    where latest.deleted is not true
    {%- endif %}
{%- endmacro %}


{#- Version order of file and API feeds: latest business date, sequence, line, delivery. -#}
{% macro delivery_version_order(raw_columns=false) -%}
    {%- if raw_columns -%}
        {{ return(['_business_date desc', '_sequence desc', '_line desc nulls last', '_delivery_id desc']) }}
    {%- else -%}
        {{ return(['business_date desc', 'delivery_sequence desc', 'delivery_line desc nulls last', 'delivery_id desc']) }}
    {%- endif -%}
{%- endmacro %}


{#- Version order of the business database's tables: greatest updated_at, then as delivered. -#}
{% macro updated_version_order(raw_columns=false) -%}
    {{ return(['updated_at desc nulls last'] + delivery_version_order(raw_columns)) }}
{%- endmacro %}
