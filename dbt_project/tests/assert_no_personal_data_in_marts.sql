-- depends_on: {{ ref('dim_organisation') }}
-- (depends_on: Dagster shows this test as a check of dim_organisation; it reads the catalog of every mart)
-- No mart column may carry personal data: no column named like a president, CIN, phone, telephone or
-- e-mail column may exist in the schema dbt builds the marts into.
select table_name, column_name
from information_schema.columns
where
    table_schema = '{{ generate_schema_name('marts_build', none) }}'
    and column_name ~* '(president|cin|phone|telephone|t[eé]l[eé]phone|e_?mail|courriel)'
