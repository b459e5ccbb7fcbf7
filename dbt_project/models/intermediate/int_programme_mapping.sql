{#- Programme and intervention axis of every project (Mouazara, INDH) and session (Chamber), from the
    programme_aliases and axis_mapping seeds. Values are compared on a key that ignores case,
    accents, punctuation and spaces. An unmapped value leaves programme_code or axis_code null
    (reported by a warn test): add it to the seed. -#}
with programme_aliases as materialized (
    select
        source_system,
        source_value,
        {{ normalize_place_name('source_value') }} as value_key,
        {{ normalize_place_name('source_phase') }} as phase_key,
        programme_code
    from {{ ref('programme_aliases') }}
),

axis_mapping as materialized (
    select source_system, {{ normalize_place_name('source_value') }} as value_key, axis_code
    from {{ ref('axis_mapping') }}
),

mapped_items as (
    select
        'ministere_mouazara' as source_system,
        project_ref as source_record_id,
        'project' as item_type,
        'Mouazara' as programme_as_delivered,
        null::text as phase_as_delivered,
        strand as axis_as_delivered
    -- every project ever delivered (dim_project keeps the ones a later snapshot dropped)
    from ({{ latest_row_of_each_key(ref('stg_ministere__mouazara_project_snapshots'), ['project_ref']) }}) as projects
    union all
    select 'wilaya_indh', project_code, 'project', programme, phase, programme  -- noqa: AL08
    from {{ ref('stg_wilaya__indh_projects') }}
    union all
    select 'chambre_sessions', session_id, 'session', programme, null, null
    from {{ ref('stg_chambre__sessions') }}
),

-- the keys once per item: the normalisation is a chain of regular expressions, the lookups equalities
keyed_items as materialized (
    select
        mapped_items.*,
        {{ normalize_place_name('mapped_items.programme_as_delivered') }} as programme_key,
        {{ normalize_place_name('mapped_items.phase_as_delivered') }} as phase_key,
        {{ normalize_place_name('mapped_items.axis_as_delivered') }} as axis_key
    from mapped_items
)

select
    keyed_items.source_system,
    keyed_items.source_record_id,
    keyed_items.item_type,
    keyed_items.programme_as_delivered,
    keyed_items.phase_as_delivered,
    keyed_items.axis_as_delivered,
    (
        select programme_aliases.programme_code
        from programme_aliases
        where
            programme_aliases.source_system = keyed_items.source_system
            and (
                programme_aliases.source_value = '*'
                or programme_aliases.value_key = keyed_items.programme_key
            )
            and (
                programme_aliases.phase_key is null
                or programme_aliases.phase_key = keyed_items.phase_key
            )
        -- the most specific alias wins: a named value before '*', a phase before none
        order by (programme_aliases.source_value = '*'), (programme_aliases.phase_key is null)
        limit 1
    ) as programme_code,
    (
        select axis_mapping.axis_code
        from axis_mapping
        where
            axis_mapping.source_system = keyed_items.source_system
            and axis_mapping.value_key = keyed_items.axis_key
        limit 1
    ) as axis_code
from keyed_items
