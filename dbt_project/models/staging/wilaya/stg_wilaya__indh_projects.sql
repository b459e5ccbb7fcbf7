{#- INDH income-generating projects: the list is cumulative, the latest delivery of each project wins. -#}
{{ latest_row_of_each_key(ref('stg_wilaya__indh_project_deliveries'), ['project_code']) }}
