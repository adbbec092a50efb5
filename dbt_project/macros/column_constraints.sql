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
    {{ add_constraint_once(
        this.identifier ~ '__' ~ column ~ '__accepted',
        "check (" ~ adapter.quote(column) ~ " in ('" ~ values | join("', '") ~ "'))"
    ) }}
{%- endmacro %}


{#- The constraint `name` of this table, added with `definition` unless the table has it. -#}
{% macro add_constraint_once(name, definition) -%}
    do $$
    begin
        if not exists (
            select 1 from pg_constraint where conrelid = '{{ this }}'::regclass and conname = '{{ name }}'
        ) then
            alter table {{ this }} add constraint {{ adapter.quote(name) }} {{ definition }};
        end if;
    end
    $$
{%- endmacro %}


{#- `column` references `parent`'s `parent_column` (unique by its unique_index), in place of a
    `relationships` test that re-read millions of rows each day: PostgreSQL checks the rows
    written. On delete cascade: a case model's build deletes and rewrites its changed cases'
    paid months before this (child) model recomputes the same cases, so the child's rows of a
    paid month that is gone go with it, as the child's own rebuild would drop them. A full
    rebuild of the parent drops the constraint with the old table; the child's next build adds it
    again, checking every row (and fails, as the test would, if any row has no parent). The parent
    is named by schema and identifier: an --empty build renders a ref as a subquery. -#}
{% macro foreign_key(column, parent, parent_column) -%}
    {{ add_constraint_once(
        this.identifier ~ '__' ~ column ~ '__fk',
        "foreign key (" ~ adapter.quote(column) ~ ") references " ~ adapter.quote(parent.schema) ~ "."
        ~ adapter.quote(parent.identifier) ~ " (" ~ adapter.quote(parent_column) ~ ") on delete cascade"
    ) }}
{%- endmacro %}
