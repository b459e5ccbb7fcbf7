{#- Sessions (trainings, meetings, fairs) of the Chamber: the latest export of each session wins. -#}
{%- set session_columns = [
    'session_id', 'session_type', 'title_fr', 'title_ar', 'theme', 'starts_on', 'ends_on', 'place',
    'province_code', 'province_code_raw', 'programme', 'partners', 'participants', 'sales'] -%}

with latest_deliveries as (
    {{ raw_rows('chambre__formations', 'cumulative', ['session_id'], session_columns) }}
)

select
    trim(session_id) as session_id,
    lower(trim(session_type)) as session_type,
    nullif(trim(title_fr), '') as title_fr,
    nullif(trim(title_ar), '') as title_ar,
    nullif(trim(theme), '') as theme,
    starts_on,
    ends_on,
    nullif(trim(place), '') as place,
    province_code,
    province_code_raw as province_raw,
    nullif(trim(programme), '') as programme,
    partners,
    participants,
    sales,
    {{ source_lineage_columns(with_snapshot_date=false) }}
from latest_deliveries
