{{ config(meta={'dagster': {'ref': {'name': 'int_organisation_matches'}}}) }}
-- meta.dagster.ref: the model Dagster shows this test as a check of (it reads several)
-- Entity resolution never merges two organisations that carry different register numbers (nor two
-- association receipts of the same province).
select
    matches.organisation_id,
    count(distinct records.register_number) as register_numbers,
    count(distinct records.association_receipt || '@' || records.province_code) as association_receipts
from {{ ref('int_organisation_records') }} as records
inner join {{ ref('int_organisation_matches') }} as matches
    on matches.organisation_record_key = records.organisation_record_key
group by matches.organisation_id
having
    count(distinct records.register_number) > 1
    or count(distinct records.association_receipt || '@' || records.province_code) > 1
