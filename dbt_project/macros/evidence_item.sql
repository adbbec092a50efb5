{#-
  One warning evidence item (see the evidence_item doc): {"feed", "record_key", "field", "value", "note"}.
  Arguments are SQL expressions; value is cast to text (dates as YYYY-MM-DD, amounts as 0.00).
-#}
{% macro evidence_item(feed, record_key, field, value, note) -%}
jsonb_build_object(
    'feed', {{ feed }},
    'record_key', {{ record_key }},
    'field', {{ field }},
    'value', ({{ value }})::text,
    'note', {{ note }}
)
{%- endmacro %}

{#- A date as ISO text, an amount as text with 2 decimals. -#}
{% macro iso_date(expr) -%}
to_char({{ expr }}, 'YYYY-MM-DD')
{%- endmacro %}

{% macro yuan(expr) -%}
to_char({{ expr }}, 'FM999999999999990.00')
{%- endmacro %}
