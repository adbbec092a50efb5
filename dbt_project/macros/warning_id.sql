{#-
  The warning's stable id (warning-rules.md, "Identity and amount of a warning"):
    rule || '-' || first 20 hex digits of sha256("rule|program|case_ref|subject") in UTF-8.
  Arguments are SQL expressions. Check value:
    W01|dibao|DB2101050001234|210105194912310023 -> W01-4090efb48ed29581bec4
-#}
{% macro warning_id(rule, program, case_ref, subject) -%}
({{ rule }}) || '-' || left(encode(sha256(convert_to(
    ({{ rule }}) || '|' || ({{ program }}) || '|' || ({{ case_ref }}) || '|' || ({{ subject }}), 'UTF8'
)), 'hex'), 20)
{%- endmacro %}
