{#-
  Post-hooks: constraints the table checks on every row written, in place of the error-severity
  not_null / accepted_values data tests of our own logic on the big incremental tables (as
  unique_index stands for `unique`). The tests re-read millions of rows after every build; a
  constraint reads only the rows written, and a row that breaks it fails the model's transaction,
  so it is never committed. A rebuilt table gets the constraints anew; an incremental table keeps
  them (set once: SET NOT NULL on a column already NOT NULL does nothing). Partner-controlled
  values stay `severity: warn` tests: dirty data must not stop the nightly build.
-#}
{% macro not_null_columns(columns) -%}
    alter table {{ this }}
    {%- for column in columns %}
        alter column {{ adapter.quote(column) }} set not null{{ "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}


{#- `column` is null or one of `values` (as accepted_values: a null passes). -#}
{% macro accepted_values_check(column, values) -%}
    {%- set name = this.identifier ~ '__' ~ column ~ '__accepted' -%}
    do $$
    begin
        if not exists (
            select 1 from pg_constraint where conrelid = '{{ this }}'::regclass and conname = '{{ name }}'
        ) then
            alter table {{ this }} add constraint {{ adapter.quote(name) }}
                check ({{ adapter.quote(column) }} in ('{{ values | join("', '") }}'));
        end if;
    end
    $$
{%- endmacro %}
