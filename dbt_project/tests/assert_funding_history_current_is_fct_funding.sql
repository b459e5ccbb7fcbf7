{{ config(meta={'dagster': {'ref': {'name': 'fct_funding_history'}}}) }}
-- meta.dagster.ref: the model Dagster shows this test as a check of (it reads several)
-- Structural invariant of the funding history (docs/history.md; checked here only): the versions in
-- force of fct_funding_history are exactly the rows of fct_funding: amount, date and lineage.
with history_now as (
    select funding_key, amount_mad, date_key, source_file_name, source_line
    from {{ ref('fct_funding_history') }}
    where is_current
),

facts as (
    select funding_key, amount_mad, date_key, source_file_name, source_line from {{ ref('fct_funding') }}
)

select
    coalesce(history_now.funding_key, facts.funding_key) as funding_key,
    history_now.amount_mad as history_amount_mad,
    facts.amount_mad as fact_amount_mad,
    history_now.date_key as history_date_key,
    facts.date_key as fact_date_key
from history_now
full outer join facts on facts.funding_key = history_now.funding_key
where
    history_now.amount_mad is distinct from facts.amount_mad
    or history_now.date_key is distinct from facts.date_key
    or history_now.source_file_name is distinct from facts.source_file_name
    or history_now.source_line is distinct from facts.source_line
