{#- Joins that give a mart the code and the French and Arabic labels a BI user groups by. Labels come
    from the seeds the council's staff edit (labels, provinces, communes); a value the seeds do not
    know keeps a null code and null labels (assert_every_label_value_is_in_the_seeds reports it). -#}

{#- French and Arabic labels of a code of one label group of int_labels, as alias.label_fr / label_ar. -#}
{% macro join_label(label_group, code_expression, alias) -%}
left join {{ ref('int_labels') }} as {{ alias }}
    on {{ alias }}.label_group = '{{ label_group }}'
    and {{ alias }}.code = {{ code_expression }}
{%- endmacro %}


{#- The dim_geography row of a place: the commune when the reference list knows it (by its French or
    Arabic name, matched by normalize_place_name), else the province; no row outside the region.
    The name is normalised once per row (`<alias>_name`), not once per candidate commune: the
    normalisation is a chain of regular expressions, the comparison an equality. -#}
{% macro join_place(province_expression, commune_expression, alias) -%}
left join lateral (
    select {{ normalize_place_name(commune_expression) }} as commune_key
) as {{ alias }}_name on true
left join lateral (
    select
        geography.geography_key,
        geography.province_name_fr as province_fr,
        geography.province_name_ar as province_ar,
        geography.commune_code,
        geography.commune_name_fr as commune_fr,
        geography.commune_name_ar as commune_ar
    from {{ ref('int_geography') }} as geography
    where geography.province_code = {{ province_expression }}
      and (
          geography.commune_name_fr is null
          or {{ alias }}_name.commune_key in (geography.commune_key_fr, geography.commune_key_ar)
      )
    order by geography.commune_name_fr is null
    limit 1
) as {{ alias }} on true
{%- endmacro %}


{#- The text when all its letters are of one script ('latin' or 'arabic'), else null: a label column
    holds one language only. -#}
{% macro in_script(expression, script) -%}
    {%- if script == 'latin' -%}
    case when {{ expression }} !~ '[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]' then {{ expression }} end
    {%- else -%}
    case when {{ expression }} !~ '[A-Za-z\u00C0-\u024F]' then {{ expression }} end
    {%- endif -%}
{%- endmacro %}


{#- The place columns of a table with a place, from the alias of join_place. -#}
{% macro place_columns(alias) -%}
    {{ alias }}.geography_key,
    {{ alias }}.province_fr,
    {{ alias }}.province_ar,
    {{ alias }}.commune_code,
    {{ alias }}.commune_fr,
    {{ alias }}.commune_ar
{%- endmacro %}
