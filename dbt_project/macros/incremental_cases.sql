{#-
  Incremental models keyed by case (README "Incremental models"). The paid-month models
  (int_paid_months_aggregated, int_dibao_member_months, int_recipient_months,
  fct_household_months) depend only on the rows of their own case (program, case_ref; a dibao
  case's case_ref is its household_id) and, for fct_household_months, on the person facts of the
  household's members. A daily build recomputes the cases whose inputs changed since the model
  was last built and leaves every other case's rows as they are:

  - the watermark: the greatest meta.deliveries.delivery_id the model has seen, kept in the
    table's comment ("incremental through delivery_id N"); every raw row of a later delivery is
    new. No comment (or a table built before this scheme): everything is new.
  - a case changed when a new raw row names it: a version of a payment (every version of that
    payment_id counts, so a payment moved to another case changes both), of a case record
    (dibao household, tekun, child welfare, disability subsidy, elderly allowance, temporary
    assistance; by case_ref whatever the programme) or of a dibao member row.
  - with_person_facts: also the households whose members (int_dibao_member_months, as just
    rebuilt) have a new raw row of an income feed (rs_contribution, sw_income, rs_pension,
    rs_public_employee) or of a bank snapshot (jr_deposit: every person of an earlier delivery of
    the same bank and as_of_date too, since the new one replaces it).
  - a delivery superseded since the watermark (its raw rows were removed and their keys are no
    longer known) in any input feed: every case changed (a full recompute by the same path).

  A changed case's rows are deleted by a pre-hook (all of them: a case whose facts were retracted
  keeps no row) and the model selects that case's rows anew; the post-hook moves the watermark.
  Pre-hook, model and post-hook run in one transaction: a failed build changes nothing.
  The build must not run while deliveries are loading (the DAG runs dbt after the loads): a
  delivery committed during the build with a smaller id than one already seen would be missed.
  Seeds (the standards) and code changes are not watched: after changing them run
  `dbt build --full-refresh`.
-#}


{#- The model's watermark, read once when the model (or its hook) is rendered: a literal, so the
    planner sees a constant (-1 when the table has none). -#}
{% macro delivery_watermark() -%}
    {%- if execute -%}
        {%- set relation = '"' ~ this.schema ~ '"."' ~ this.identifier ~ '"' -%}
        {%- set found = run_query(
            "select coalesce(substring(obj_description('" ~ relation ~ "'::regclass, 'pg_class')"
            ~ " from 'incremental through delivery_id ([0-9]+)')::bigint, -1)"
        ) -%}
        {{- found.columns[0].values()[0] -}}
    {%- else -%}
        -1
    {%- endif -%}
{%- endmacro %}


{#- A relation's watermark as a SQL expression (-1 when it has none). -#}
{% macro watermark_of(relation) -%}
    coalesce(
        substring(
            obj_description(to_regclass('"{{ relation.schema }}"."{{ relation.identifier }}"'), 'pg_class')
            from 'incremental through delivery_id ([0-9]+)'
        )::bigint,
        -1
    )
{%- endmacro %}


{#- Pre-hook: remember the greatest delivery_id before reading anything (transaction-local), but
    never beyond the watermark of an incremental model this one reads (`after`, model names): a
    model built alone while its parent is behind must see the parent's coming changes again. -#}
{% macro capture_delivery_watermark(after=[]) -%}
    select set_config(
        'minzheng.delivery_watermark',
        least(
            (select coalesce(max(delivery_id), 0) from {{ source('meta', 'deliveries') }})
            {%- for parent in after %},
            {{ watermark_of(ref(parent)) }}
            {%- endfor %}
        )::text,
        true
    )
{%- endmacro %}


{#- Post-hook: the watermark captured by the pre-hook becomes the model's. Not on --empty or
    --sample builds: they read no (or not all) raw rows, so they must not move it. -#}
{% macro store_delivery_watermark() -%}
    {%- if invocation_args_dict.get('empty') or invocation_args_dict.get('sample') -%}
    select 1
    {%- else -%}
    do $$
    begin
        execute format(
            'comment on table %s is %L',
            '"{{ this.schema }}"."{{ this.identifier }}"',
            'incremental through delivery_id ' || coalesce(
                nullif(current_setting('minzheng.delivery_watermark', true), ''),
                (select coalesce(max(delivery_id), 0)::text from {{ source('meta', 'deliveries') }})
            )
        );
    end
    $$
    {%- endif %}
{%- endmacro %}


{#- The input feeds of the case models (their names in meta.deliveries). -#}
{% macro case_input_feeds(with_person_facts=false) -%}
    {%- set feeds = ['mz_payment', 'mz_dibao_household', 'mz_dibao_member', 'mz_tekun_person', 'mz_child_welfare',
                     'mz_disability_subsidy', 'mz_elderly_allowance', 'mz_temp_assistance'] -%}
    {%- if with_person_facts -%}
        {%- set feeds = feeds + ['rs_contribution', 'sw_income', 'rs_pension', 'rs_public_employee', 'jr_deposit'] -%}
    {%- endif -%}
    {{ return(feeds) }}
{%- endmacro %}


{#- SQL: one column case_ref, every case changed since the model's watermark. Sources are not
    aliased (README: --empty rewrites them into aliased subqueries). -#}
{% macro changed_case_refs(watermark, with_person_facts=false) -%}
    {%- set feeds = [
        ('dibao_household', 'household_id'),
        ('dibao_member', 'household_id'),
        ('tekun_person', 'case_id'),
        ('child_welfare', 'case_id'),
        ('disability_subsidy', 'case_id'),
        ('elderly_allowance', 'case_id'),
        ('temp_assistance', 'case_id'),
    ] -%}
    select case_ref from {{ source('mz', 'payment') }}
    where payment_id in (select payment_id from {{ source('mz', 'payment') }} where _delivery_id > {{ watermark }})
    {%- for feed, key in feeds %}
    union
    select {{ key }} from {{ source('mz', feed) }} where _delivery_id > {{ watermark }}
    {%- endfor %}
    {%- if with_person_facts %}
    union
    select case_ref from {{ ref('int_dibao_member_months') }}
    where member_id_number in ({{ changed_person_facts(watermark) }})
    {%- endif %}
{%- endmacro %}


{#- SQL: one column, the (normalised) identity numbers with a new income or balance fact: the
    persons of changed_income_persons and of changed_deposit_pairs (macros/incremental_persons.sql;
    a new bank snapshot counts the persons of the earlier deliveries it replaces too). -#}
{% macro changed_person_facts(watermark) -%}
    {{ changed_income_persons(watermark) }}
    union
    select deposit_pairs.id_number from ({{ changed_deposit_pairs(watermark) }}) as deposit_pairs
{%- endmacro %}


{#- SQL boolean: the case of `column` is to be recomputed (`true` when the model is built whole:
    first build, --full-refresh, unit tests). Whether an input feed has a superseded delivery or new
    rows is asked when the model is rendered (feeds_changed_since), so the SQL is `true`, `false` or
    a plain `column in (...)` that the table's lookup index serves (an `or exists (...)` beside it
    made every delta build read the whole table). -#}
{% macro case_changed(column, with_person_facts=false) -%}
    {%- if not is_incremental() -%}
    true
    {%- else -%}
    {%- set watermark = delivery_watermark() -%}
    {%- set changed = feeds_changed_since(watermark, case_input_feeds(with_person_facts)) -%}
    {%- if watermark | int < 0 or changed['superseded'] -%}
    true
    {%- elif not changed['new'] -%}
    false
    {%- else -%}
    {{ key_in(column, changed_case_refs(watermark, with_person_facts)) }}
    {%- endif -%}
    {%- endif %}
{%- endmacro %}


{#- Pre-hook: delete every row of the changed cases (incremental runs only). -#}
{% macro delete_changed_cases(column, with_person_facts=false) -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where {{ case_changed(column, with_person_facts) }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
