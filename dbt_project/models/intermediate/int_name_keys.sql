{#- The normalised form of every organisation name and commune text the records ever held (a cache of
    entity resolution's most costly step: a chain of regular expressions per text). Incremental: a
    night normalises only the texts no earlier night met, a few percent of the names when the
    registers change by a few percent. A key is a function of its text alone, so a kept row never
    goes stale; the macros' code changing rebuilds it in full (defs/transform/full_refresh.py). A
    text no record holds any more stays: int_organisation_records looks texts up, it never lists
    them. -#}
{{ config(materialized='incremental', incremental_strategy='append', on_schema_change='fail') }}

with texts as (
    select distinct 'latin' as key_kind, name_fr as source_text
    from {{ ref('int_organisation_record_rows') }}
    where name_fr is not null
    union
    select distinct 'arabic', name_ar
    from {{ ref('int_organisation_record_rows') }}
    where name_ar is not null
    union
    select distinct 'place', commune
    from {{ ref('int_organisation_record_rows') }}
    where commune is not null
),

new_texts as (
    select texts.key_kind, texts.source_text
    from texts
    {%- if is_incremental() %}
        where not exists (
            select 1 from {{ this }} as known
            where known.key_kind = texts.key_kind and known.source_text = texts.source_text
        )
    {%- endif %}
),

keyed_texts as materialized (
    -- materialized: name_key is read three times below (the key, its skeleton, its term), and an
    -- inlined CTE would run its chain of regular expressions for each (national build: 33 s, 21 s so)
    select
        key_kind,
        source_text,
        case key_kind
            when 'latin' then {{ normalize_org_name('source_text', 'latin') }}
            when 'arabic' then {{ normalize_org_name('source_text', 'arabic') }}
            else {{ normalize_place_name('source_text') }}
        end as name_key
    from new_texts
)

select
    key_kind,
    source_text,
    name_key,
    -- the cross-script skeleton of an organisation name's key (none for a place)
    case key_kind
        when 'latin' then {{ name_skeleton('name_key', 'latin') }}
        when 'arabic' then {{ name_skeleton('name_key', 'arabic') }}
    end as name_skeleton,
    -- the activity term an organisation name's key carries ('de Miel', 'للعسل'; none for a place):
    -- found here once per text, not once per record (a record's term is the least of its two names')
    case key_kind
        when 'latin'
            then (
                select min(terms.term_code) from {{ ref('name_terms') }} as terms
                where position(' de ' || terms.latin_key || ' ' in ' ' || keyed_texts.name_key || ' ') > 0
            )
        when 'arabic'
            then (
                select min(terms.term_code) from {{ ref('name_terms') }} as terms
                where position(' ' || terms.arabic_key || ' ' in ' ' || keyed_texts.name_key || ' ') > 0
            )
    end as name_term
from keyed_texts
