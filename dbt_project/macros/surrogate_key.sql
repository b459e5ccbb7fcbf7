{#- A surrogate key: md5 of the parts, NULL-safe, so the same natural key always gives the same key
    from one build to the next. -#}
{% macro surrogate_key(parts) -%}
    md5({% for part in parts %}coalesce(({{ part }})::text, '<null>'){% if not loop.last %} || '|' || {% endif %}{% endfor %})
{%- endmacro %}


{#- The dim_date key (yyyymmdd as an integer) of a date expression. -#}
{% macro date_key(date_expression) -%}
    (to_char({{ date_expression }}, 'YYYYMMDD'))::int
{%- endmacro %}
