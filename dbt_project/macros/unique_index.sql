{#-
  Post-hooks: an index on `columns` (one column or a list) of this table, created once (an
  incremental table keeps it across builds; a rebuilt table gets a new one). The index is
  unnamed: during a full rebuild the backup of the old table still holds its index's name.

  unique_index replaces the `unique` / `unique_combination_of_columns` data tests on the big
  incremental tables: PostgreSQL enforces the key on every insert (a duplicate fails the build and
  rolls it back) instead of a test re-reading millions of rows each day, and the delta merge
  (delete+insert by unique_key) finds stored keys by index. NULLS NOT DISTINCT (PostgreSQL 15):
  nulls count as equal, as the tests' group by counts them.

  lookup_index: the column a delta build looks rows up by (a changed case, a changed person), so
  that it reads those rows, not the whole table.
-#}
{% macro unique_index(columns) -%}
    {{ table_index(columns, unique=true) }}
{%- endmacro %}


{% macro lookup_index(columns) -%}
    {{ table_index(columns, unique=false) }}
{%- endmacro %}


{% macro table_index(columns, unique) -%}
    {%- set columns = [columns] if columns is string else columns -%}
    do $$
    begin
        if not exists (
            select 1 from pg_index
            where
                indrelid = '{{ this }}'::regclass
                and indisunique = {{ unique }}
                and indkey::text = (
                    select string_agg(pg_attribute.attnum::text, ' ' order by wanted.position)
                    from unnest(array['{{ columns | join("', '") }}']) with ordinality as wanted (name, position)
                    inner join pg_attribute
                        on pg_attribute.attrelid = '{{ this }}'::regclass and pg_attribute.attname = wanted.name
                )
        ) then
            execute 'create {{ "unique " if unique }}index on {{ this }} ({{ columns | join(", ") }})
                {{- " nulls not distinct" if unique }}';
        end if;
    end
    $$
{%- endmacro %}
