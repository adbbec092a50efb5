{#-
  Incremental models keyed by person (README "Incremental models"), on the scheme of
  macros/incremental_cases.sql (watermark in the table's comment, captured by a pre-hook, stored
  by a post-hook; pre-hook, model and post-hook in one transaction; a delivery superseded since
  the watermark in an input feed: everything is recomputed):

  - int_person_balances_month_end, by (id_number, as_of_date): a new jr_deposit delivery
    replaces the bank's earlier delivery for the same as_of_date, so the pairs of every delivery
    of the banks with a new delivery, for the as_of_dates they delivered, old ones included, are
    deleted and selected anew.
  - int_person_income_months, by (id_number, income_month): a row depends only on the person's
    income facts of the month and on the pair being a member month of int_dibao_member_months.
    Deleted and selected anew: the persons with a new income fact (rs_contribution, sw_income,
    rs_pension, rs_public_employee); deleted: the rows of the persons ever listed as members of
    a case changed since the watermark whose pair is no longer a member month (a member who
    left, a paid month reversed: an anti-join); selected: the member months of those cases (new
    pairs come only from them).
  - dq_invalid_id_numbers, by staging model: the staging models whose raw tables have a row of
    a delivery after the watermark, or a delivery superseded since it, are deleted and selected
    anew; the others' union arms are not even rendered (the list is known when the model is).

  What has to be done is decided when the model is rendered (the watermark is known then): a model
  with nothing new renders `false` (its pre-hook deletes nothing, its select reads nothing).
  A first build, --full-refresh and unit tests (is_incremental() false) build the whole table.
  --empty and --sample builds delete nothing (and leave the watermark where it is).
-#}


{#- is_incremental(), safe where `this` is not set (a unit test without `this` and without an
    is_incremental override: then the model is built whole). -#}
{% macro incremental_run() -%}
    {{ return(this is not none and is_incremental()) }}
{%- endmacro %}


{#- The models this model reads that are materialised incremental, for
    capture_delivery_watermark(after=...): a table-built parent has no watermark (watermark_of
    would say -1), so only incremental parents hold the watermark back. -#}
{% macro incremental_parents() -%}
    {%- set found = [] -%}
    {%- for parent in model.depends_on.nodes if parent in graph.nodes -%}
        {%- set node = graph.nodes[parent] -%}
        {%- if node.resource_type == 'model' and node.config.materialized == 'incremental' -%}
            {%- do found.append(node.name) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(found) }}
{%- endmacro %}


{#- Of `feeds` (meta.deliveries feed names = raw table identifiers), the ones with a raw row of a
    delivery after the watermark ('new') and the ones with a delivery superseded since it
    ('superseded'): one query when the model is rendered (index probes on raw._delivery_id), so
    that the SQL of a model with nothing to do is `false`. -#}
{% macro feeds_changed_since(watermark, feeds) -%}
    {%- set relations = {} -%}
    {%- for src in graph.sources.values() if src.identifier in feeds -%}
        {%- do relations.update({src.identifier: adapter.quote(src.schema) ~ '.' ~ adapter.quote(src.identifier)}) -%}
    {%- endfor -%}
    {%- set query -%}
        select 'superseded', feed from {{ source('meta', 'deliveries') }}
        where status = 'superseded' and superseded_by > {{ watermark }}
        {%- for feed, relation in relations | dictsort %}
        union all
        select 'new', '{{ feed }}' where exists (select 1 from {{ relation }} where _delivery_id > {{ watermark }})
        {%- endfor %}
    {%- endset -%}
    {%- set found = {'new': [], 'superseded': []} -%}
    {%- for row in run_query(query).rows if row[1] in feeds -%}
        {%- do found[row[0]].append(row[1]) -%}
    {%- endfor -%}
    {{ return(found) }}
{%- endmacro %}


{#- True when a pre-hook must not delete: --empty / --sample builds read no (or not all) rows. -#}
{% macro partial_build() -%}
    {{ return(invocation_args_dict.get('empty') or invocation_args_dict.get('sample')) }}
{%- endmacro %}


{# ---------------------------------------------------------------- balances (jr_deposit) #}

{#- SQL: (id_number, as_of_date), every pair of a jr_deposit delivery of a bank with a delivery
    after the watermark, for the as_of_dates delivered after it (normalised as staging does). -#}
{% macro changed_deposit_pairs(watermark) -%}
    select
        {{ normalize_id_number('id_number', as_of='_business_date') }} as id_number,
        as_of_date
    from {{ source('jr', 'deposit') }}
    where
        as_of_date in (select as_of_date from {{ source('jr', 'deposit') }} where _delivery_id > {{ watermark }})
        and _delivery_id in (
            select delivery_id from {{ source('meta', 'deliveries') }}
            where
                feed = 'jr_deposit'
                and unit in (
                    select unit from {{ source('meta', 'deliveries') }}
                    where delivery_id in (
                        select _delivery_id from {{ source('jr', 'deposit') }} where _delivery_id > {{ watermark }}
                    )
                )
        )
{%- endmacro %}


{#- SQL boolean: the balance of (id_column, date_column) is to be recomputed (`true` when the
    model is built whole). -#}
{% macro balance_changed(id_column, date_column) -%}
    {%- if not incremental_run() -%}
    true
    {%- else -%}
    {%- set watermark = delivery_watermark() -%}
    {%- set changed = feeds_changed_since(watermark, ['jr_deposit']) -%}
    {%- if watermark | int < 0 or changed['superseded'] -%}
    true
    {%- elif not changed['new'] -%}
    false
    {%- else -%}
    ({{ id_column }}, {{ date_column }}) in ({{ changed_deposit_pairs(watermark) }})
    {%- endif %}
    {%- endif %}
{%- endmacro %}


{#- Pre-hook: delete the balances to recompute (incremental runs only). -#}
{% macro delete_changed_balances() -%}
    {%- if incremental_run() and not partial_build() -%}
        delete from {{ this }} where {{ balance_changed('id_number', 'as_of_date') }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}


{# ---------------------------------------------------------------- income #}

{#- The raw feeds of the person income (their names in meta.deliveries). -#}
{% macro income_fact_feeds() -%}
    {{ return(['rs_contribution', 'sw_income', 'rs_pension', 'rs_public_employee']) }}
{%- endmacro %}


{#- SQL: one column, the (normalised) identity numbers with a raw income fact after the
    watermark (every version of a record names the same person: the person is in its key). -#}
{% macro changed_income_persons(watermark) -%}
    {%- for feed in ['contribution', 'pension', 'public_employee'] %}
    select {{ normalize_id_number('id_number', as_of='_business_date') }}
    from {{ source('rs', feed) }} where _delivery_id > {{ watermark }}
    union
    {%- endfor %}
    select {{ normalize_id_number('"纳税人身份证号"', as_of='_business_date') }}
    from {{ source('sw', 'income') }} where _delivery_id > {{ watermark }}
{%- endmacro %}


{#- What an incremental build of int_person_income_months has to do, decided when the model is
    rendered: 'all' (no watermark, or a delivery of an input feed superseded since it), 'persons' (new
    income facts), 'cases' (new rows of a case feed: member months may have come or gone). -#}
{% macro income_changes() -%}
    {%- set watermark = delivery_watermark() -%}
    {%- set changed = feeds_changed_since(watermark, income_fact_feeds() + case_input_feeds()) -%}
    {{ return({
        'watermark': watermark,
        'all': watermark | int < 0 or changed['superseded'] | length > 0,
        'persons': changed['new'] | select('in', income_fact_feeds()) | list | length > 0,
        'cases': changed['new'] | select('in', case_input_feeds()) | list | length > 0,
    }) }}
{%- endmacro %}


{#- SQL: one column, the (normalised) identity numbers of every raw member row, any version, of the
    cases changed since the watermark: the persons whose member months may have come or gone. -#}
{% macro changed_case_members(watermark) -%}
    select {{ normalize_id_number('id_number', as_of='_business_date') }}
    from {{ source('mz', 'dibao_member') }}
    where household_id in ({{ changed_case_refs(watermark) }})
{%- endmacro %}


{#- SQL boolean: the member month row of int_dibao_member_months (columns case_ref,
    member_id_number) is to be selected: its person has a new income fact, or its case changed
    since the watermark (`true` when the model is built whole). -#}
{% macro income_member_month_changed() -%}
    {%- if not incremental_run() -%}
    true
    {%- else -%}
    {%- set todo = income_changes() -%}
    {%- if todo['all'] -%}
    true
    {%- elif not (todo['persons'] or todo['cases']) -%}
    false
    {%- else -%}
    (
        {%- if todo['persons'] %}
        {{ key_in('member_id_number', changed_income_persons(todo['watermark'])) }}
        {%- endif %}
        {%- if todo['persons'] and todo['cases'] %}
        or
        {%- endif %}
        {%- if todo['cases'] %}
        {{ key_in('case_ref', changed_case_refs(todo['watermark'])) }}
        {%- endif %}
    )
    {%- endif -%}
    {%- endif %}
{%- endmacro %}


{#- Pre-hook: delete every income row of the persons with a new income fact, and the rows of the
    members of changed cases whose (person, month) is no longer a member month (incremental runs
    only; everything when a delivery of an input feed was superseded). -#}
{% macro delete_changed_incomes() -%}
    {%- set todo = income_changes() if incremental_run() and not partial_build() else {} -%}
    {%- if todo.get('all') -%}
        delete from {{ this }}
    {%- elif todo.get('persons') or todo.get('cases') -%}
        {%- if todo['persons'] -%}
        delete from {{ this }}
        where {{ key_in('id_number', changed_income_persons(todo['watermark'])) }};
        {% endif -%}
        {%- if todo['cases'] -%}
        delete from {{ this }} as income
        where
            {{ key_in('income.id_number', changed_case_members(todo['watermark'])) }}
            and not exists (
                select 1 from {{ ref('int_dibao_member_months') }}
                where
                    member_id_number = income.id_number
                    and pay_month = income.income_month
            )
        {%- endif -%}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}


{# ---------------------------------------------------------------- invalid identity numbers #}

{#- The raw tables a model reads (feed names = identifiers), and whether it
    reads anything but raw sources and meta (then it is always recomputed). -#}
{% macro raw_inputs_of(model_name) -%}
    {%- set feeds = [] -%}
    {%- set other = [] -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model' and node.name == model_name -%}
        {%- for parent in node.depends_on.nodes -%}
            {%- if parent in graph.sources -%}
                {%- set src = graph.sources[parent] -%}
                {%- if src.source_name != 'meta' -%}
                    {%- do feeds.append(src.identifier) -%}
                {%- endif -%}
            {%- else -%}
                {%- do other.append(parent) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return({'feeds': feeds, 'other': other | length > 0}) }}
{%- endmacro %}


{#- Of `model_names` (staging models), the ones to recompute: all of them when the model is built
    whole, else those with a raw row of a delivery after the watermark or a delivery superseded
    since it (one query, index probes on raw._delivery_id, run when the model is rendered). -#}
{% macro staging_models_to_recompute(model_names) -%}
    {%- if not incremental_run() -%}
        {{ return(model_names) }}
    {%- endif -%}
    {%- if not execute or partial_build() -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set inputs = {} -%}
    {%- set feeds = [] -%}
    {%- for name in model_names -%}
        {%- do inputs.update({name: raw_inputs_of(name)}) -%}
        {%- do feeds.extend(inputs[name]['feeds']) -%}
    {%- endfor -%}
    {%- set found_feeds = feeds_changed_since(delivery_watermark(), feeds | unique | list) -%}
    {%- set changed = found_feeds['new'] + found_feeds['superseded'] -%}
    {%- set found = [] -%}
    {%- for name in model_names -%}
        {%- set info = inputs[name] -%}
        {%- if info['other'] or info['feeds'] | length == 0
            or info['feeds'] | select('in', changed) | list | length > 0 -%}
            {%- do found.append(name) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(found) }}
{%- endmacro %}


{#- The staging models this model reads (names). -#}
{% macro model_parents() -%}
    {%- set names = [] -%}
    {%- for parent in model.depends_on.nodes if parent in graph.nodes -%}
        {%- if graph.nodes[parent].resource_type == 'model' -%}
            {%- do names.append(graph.nodes[parent].name) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(names) }}
{%- endmacro %}


{#- Pre-hook: delete the rows of the staging models (the ones this model reads) to recompute
    (incremental runs only). -#}
{% macro delete_staging_model_rows() -%}
    {%- set models = staging_models_to_recompute(model_parents()) if incremental_run() and not partial_build() else [] -%}
    {%- if models | length > 0 -%}
        delete from {{ this }} where staging_model in ('{{ models | join("', '") }}')
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}


{#- SQL boolean for int_person_income_months: on incremental runs, only the facts of the persons of
    the member months selected (CTE member_months), before their evidence items are built. -#}
{% macro income_persons_only(id_column) -%}
    {%- if incremental_run() -%}
        {{ id_column }} in (select member_months.id_number from member_months)
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}
