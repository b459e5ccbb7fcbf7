{#- Schemas are named exactly as configured (staging, intermediate, marts_build), not prefixed with the
    target schema: analysts and the BI role see stable names. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ (custom_schema_name or target.schema) | trim }}
{%- endmacro %}
