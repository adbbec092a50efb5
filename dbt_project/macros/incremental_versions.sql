{#-
  Incremental current versions (README "Incremental models"): the history-sized staging models
  (stg_rs__pensions, stg_mz__payments, stg_jr__deposits, stg_rs__contributions, stg_sw__income)
  and the person-fact ones many models read (stg_ga__hukou, stg_ga__deaths,
  stg_wj__death_certificates, stg_mz__death_cremations, stg_zj__real_estate) keep the current
  version of every key in a table and merge the raw rows delivered since the table's watermark
  (macros/incremental_cases.sql: the greatest meta.deliveries.delivery_id seen, in the table's
  comment, captured by a pre-hook and stored by a post-hook). Three ways a build goes:

  - full: first build, --full-refresh, unit tests (is_incremental() false): every raw row, as a
    table model would.
  - delta: only the raw rows with _delivery_id > watermark (the raw table's _delivery_id index) are
    read and normalised. The latest version is a maximum, and a maximum can be merged: a key's new
    current version is the latest of its stored current version and its new raw rows (the table
    keeps the order columns for that, delivery_sequence and delivery_line). None of these feeds
    withdraws records (no deleted column), so every current version is in the table. A bank
    snapshot (jr_deposit) is merged per (unit, as_of_date): a new delivery that is later than the
    group's stored one replaces all the group's rows, an earlier one changes nothing.
  - reset: an incremental build that recomputes everything, when a delivery of the feed was
    superseded since the watermark (its raw rows were deleted: a current version may be gone) or
    the table has no watermark. A pre-hook empties the table, the model selects every key.

  The way is decided when the model and its hooks are rendered (one query each, the same answer:
  nothing loads during the build). Pre-hooks, model and post-hooks run in one transaction.
  Merging the same raw rows twice changes nothing, so rows read again after a watermark that lags
  (a delivery committed during the build) are harmless.
-#}


{#- 'full', 'delta' or 'reset' (above) for the model fed by `feed` (its name in meta.deliveries). -#}
{% macro incremental_versions_mode(feed) -%}
    {#- not before: unit tests (is_incremental false) know only the sources they are given -#}
    {%- if not is_incremental() -%}
        {{- return('full') -}}
    {%- endif -%}
    {%- set deliveries = source('meta', 'deliveries') -%}
    {%- set watermark = delivery_watermark() | trim | int -%}
    {%- if watermark < 0 -%}
        {{- return('reset') -}}
    {%- endif -%}
    {%- set found = run_query(
        "select exists (select 1 from " ~ deliveries ~ " where status = 'superseded'"
        ~ " and superseded_by > " ~ watermark ~ " and feed = '" ~ feed ~ "')"
    ) -%}
    {{- return('reset' if found.columns[0].values()[0] else 'delta') -}}
{%- endmacro %}


{#- Pre-hook: on the reset way, empty the table (the model then selects every key). -#}
{% macro reset_incremental_versions(feed) -%}
    {%- if incremental_versions_mode(feed) == 'reset' -%}
        truncate table {{ this }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}


{#- Pre-hook of stg_jr__deposits on the delta way: delete the rows of every (unit, as_of_date)
    group for which a new delivery is later (business date, sequence, delivery) than the group's
    stored one; the model then inserts the rows of the latest new delivery of every group left
    without rows. Needs no normalisation: only the new rows' groups and deliveries are read.
    Sources are not aliased (--empty rewrites them into aliased subqueries). -#}
{% macro delete_replaced_snapshots() -%}
    {%- if incremental_versions_mode('jr_deposit') == 'delta' -%}
    delete from {{ this }} as current_rows
    using (
        select distinct on (unit, as_of_date)
            unit,
            as_of_date,
            _business_date,
            _sequence,
            _delivery_id
        from (
            select
                new_rows._business_date,
                new_rows._sequence,
                new_rows._delivery_id,
                new_rows.as_of_date,
                (
                    select unit from {{ source('meta', 'deliveries') }}
                    where delivery_id = new_rows._delivery_id
                ) as unit
            from (
                select _business_date, _sequence, _delivery_id, as_of_date
                from {{ source('jr', 'deposit') }}
                where _delivery_id > {{ delivery_watermark() }}
            ) as new_rows
        ) as new_groups
        order by unit, as_of_date, _business_date desc, _sequence desc, _delivery_id desc
    ) as new_snapshots
    where
        {{ same_snapshot_group('current_rows', 'new_snapshots') }}
        and (new_snapshots._business_date, new_snapshots._sequence, new_snapshots._delivery_id)
        > (current_rows.business_date, current_rows.delivery_sequence, current_rows.delivery_id)
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}


{#- SQL boolean: relations a and b hold the same (unit, as_of_date) group, nulls equal (written
    with coalesce, not `is not distinct from`, so that it stays a hash join). -#}
{% macro same_snapshot_group(a, b) -%}
    coalesce({{ a }}.unit, '') = coalesce({{ b }}.unit, '')
    and coalesce({{ a }}.as_of_date, '-infinity'::date) = coalesce({{ b }}.as_of_date, '-infinity'::date)
{%- endmacro %}


{#- Body of the `source` CTE of an incremental current-versions model: the raw rows of
    `relation`; on the delta way only those delivered after the watermark. -#}
{% macro raw_rows_to_merge(relation, mode) -%}
    select * from {{ relation }}
    {%- if mode == 'delta' %}
    where _delivery_id > {{ delivery_watermark() }}
    {%- endif %}
{%- endmacro %}


{#- The CTEs after `normalised` of an incremental current-versions model keyed by record_key
    (delete+insert), ending in `versions`. On the delta way the stored current versions of the
    keys with a new row are candidates beside the new rows, and the latest of them wins.
    key: record_key's [catalogue column, SQL expression] pairs (expressions over normalised's
    columns); columns: the columns of a version, in the order of `normalised`; order_by: the
    version order, as latest_version takes it. -#}
{% macro merged_current_versions(mode, key, columns, order_by=none) -%}
    {%- set key_expressions = [] -%}
    {%- for pair in key -%}
        {%- do key_expressions.append(pair[1]) -%}
    {%- endfor -%}
    {%- if mode == 'delta' %}
    -- the stored current versions of the keys with a new version
    stored as (

        select
            {{ columns | join(',\n            ') }}

        from {{ this }}
        where record_key in (select {{ record_key(key) }} from normalised)

    ),

    candidates as (

        select * from normalised
        union all
        select * from stored

    ),
    {%- endif %}

    versions as (

        {{ latest_version('candidates' if mode == 'delta' else 'normalised', key_expressions, order_by) }}

    )
{%- endmacro %}


{#- The config of an incremental current-versions model of `feed`, keyed by record_key
    (delete+insert): its watermark hooks, the record_key's unique index and NOT NULL constraint
    (macros/column_constraints.sql), and a lookup index on each of `lookup` (the columns delta
    builds downstream select by).
    {{ config(**incremental_versions_config('rs_pension', lookup=['id_number'])) }} -#}
{% macro incremental_versions_config(feed, lookup=[]) -%}
    {%- set post_hook = [] -%}
    {%- for column in lookup -%}
        {%- do post_hook.append("{{ lookup_index('" ~ column ~ "') }}") -%}
    {%- endfor -%}
    {%- do post_hook.extend([
        "{{ unique_index('record_key') }}",
        "{{ not_null_columns(['record_key']) }}",
        "{{ store_delivery_watermark() }}",
    ]) -%}
    {{ return({
        'materialized': 'incremental',
        'incremental_strategy': 'delete+insert',
        'unique_key': 'record_key',
        'on_schema_change': 'fail',
        'pre_hook': ["{{ capture_delivery_watermark() }}", "{{ reset_incremental_versions('" ~ feed ~ "') }}"],
        'post_hook': post_hook,
    }) }}
{%- endmacro %}
