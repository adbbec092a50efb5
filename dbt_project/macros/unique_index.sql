{#-
  Post-hook: a unique index on `column` of this table, created once (an incremental table keeps
  it across builds; a rebuilt table gets a new one). It replaces the `unique` data test on the
  big incremental tables: PostgreSQL enforces the key on every insert (a duplicate fails the
  build and rolls it back) instead of a test re-reading millions of rows each day, and the
  delta merge finds stored keys by index. The index is unnamed: during a full rebuild the
  backup of the old table still holds its index's name.
-#}
{% macro unique_index(column) -%}
    do $$
    begin
        if not exists (
            select 1 from pg_index
            where
                indrelid = '{{ this }}'::regclass
                and indisunique
                and indnkeyatts = 1
                and indkey[0] = (
                    select attnum from pg_attribute
                    where attrelid = '{{ this }}'::regclass and attname = '{{ column }}'
                )
        ) then
            execute 'create unique index on {{ this }} ({{ column }})';
        end if;
    end
    $$
{%- endmacro %}
