{#-
  A record's key as the platform's evidence expects it: "col=value;col=value", the catalogue's
  key columns in catalogue order (feeds.yml), names exactly as in the catalogue (Chinese for
  the feeds with Chinese headers).

  columns: a list of [catalogue_column_name, sql_expression] pairs. For an identity-number key
  column pass the normalised number falling back to the raw value, i.e.
  coalesce(id_number, id_number_raw): the catalogue compares such keys after normalisation.

    {{ record_key([['household_id', 'household_id'], ['id_number', 'coalesce(id_number, id_number_raw)']]) }}
-#}
{% macro record_key(columns) -%}
{%- for column in columns -%}
'{{ column[0] }}=' || coalesce(({{ column[1] }})::text, ''){% if not loop.last %} || ';' || {% endif %}
{%- endfor -%}
{%- endmacro %}
