{#- Entity resolution, step 4: the cluster of every unit. Weak units (no register number or
    receipt) linked by name form clusters (connected components; a transliterated link between weak
    units needs the same commune). A cluster joins the strong unit with the strongest evidence -
    same commune, then names that do not contradict each other, then the very same spelling - only
    if no other strong unit has evidence as strong; otherwise it stays apart rather than risk a
    false merge. A strong unit is a cluster of its own. One row per unit. -#}
with units as (
    select distinct unit_id, is_strong from {{ ref('int_organisation_match_units') }}
),

unit_links as (
    select * from {{ ref('int_organisation_match_candidates') }}
),

weak_edges as (
    -- between weak units a transliterated name is not enough without the same commune
    select left_unit_id, right_unit_id
    from unit_links
    where
        not right_is_strong
        and (exact_key or same_commune)
),

{#- connected components of the weak units: min-label propagation with pointer jumping for a few
    rounds, then an exact closure over the (small) graph of the labels still linked -#}
{%- set rounds = 6 %}

weak_labels_0 as (
    select unit_id, unit_id as label from units where not is_strong
),
{%- for i in range(1, rounds + 1) %}

    weak_propagated_{{ i }} as (
        select weak_labels.unit_id, least(weak_labels.label, min(neighbour.label)) as label
        from weak_labels_{{ i - 1 }} as weak_labels
        left join weak_edges on weak_edges.left_unit_id = weak_labels.unit_id
        left join weak_labels_{{ i - 1 }} as neighbour on neighbour.unit_id = weak_edges.right_unit_id
        group by weak_labels.unit_id, weak_labels.label
    ),

    weak_labels_{{ i }} as (
    -- pointer jumping: take the label of one's label
        select weak_propagated.unit_id, least(weak_propagated.label, label_of_label.label) as label
        from weak_propagated_{{ i }} as weak_propagated
        inner join weak_propagated_{{ i }} as label_of_label on label_of_label.unit_id = weak_propagated.label
    ),
{%- endfor %}

label_edges as (
    select distinct left_label.label as left_label, right_label.label as right_label
    from weak_edges
    inner join weak_labels_{{ rounds }} as left_label on left_label.unit_id = weak_edges.left_unit_id
    inner join weak_labels_{{ rounds }} as right_label on right_label.unit_id = weak_edges.right_unit_id
    where left_label.label <> right_label.label
),

label_reach as (
    with recursive walk (label, reached_label) as (
        select distinct label, label from weak_labels_{{ rounds }}  -- noqa: AL08
        union
        select walk.label, label_edges.right_label
        from walk
        inner join label_edges on label_edges.left_label = walk.reached_label
    )

    select label, min(reached_label) as component from walk group by label
),

weak_components as (
    select weak_labels.unit_id, label_reach.component
    from weak_labels_{{ rounds }} as weak_labels
    inner join label_reach on label_reach.label = weak_labels.label
),

weak_clusters as (
    select
        unit_id,
        min(unit_id) over (partition by component) as weak_cluster_id
    from weak_components
),

cluster_candidates as (
    -- strong units a weak cluster is linked to, with the strength of the evidence: a cluster whose
    -- names match two registered organisations equally well is left apart
    select
        weak_clusters.weak_cluster_id,
        unit_links.right_unit_id as strong_unit_id,
        -- the same commune first, then names that do not contradict each other, then the very
        -- same spelling (a provider copying the register's name)
        bool_or(unit_links.same_commune)::int * 4
        + bool_or(not unit_links.names_contradict)::int * 2
        + bool_or(unit_links.same_spelling)::int as evidence
    from weak_clusters
    inner join unit_links
        on
            unit_links.left_unit_id = weak_clusters.unit_id
            and unit_links.right_is_strong
    group by 1, 2
),

best_candidates as (
    select
        cluster_candidates.*,
        count(*) over (partition by weak_cluster_id, evidence) as candidates_with_this_evidence,
        rank() over (partition by weak_cluster_id order by evidence desc) as evidence_rank
    from cluster_candidates
),

cluster_attachments as (
    -- attach only when one strong unit has the strongest evidence; a tie stays apart
    select weak_cluster_id, strong_unit_id
    from best_candidates
    where evidence_rank = 1 and candidates_with_this_evidence = 1
)

select
    units.unit_id,
    case
        when units.is_strong then units.unit_id
        else coalesce(cluster_attachments.strong_unit_id, weak_clusters.weak_cluster_id)
    end as cluster_id
from units
left join weak_clusters on weak_clusters.unit_id = units.unit_id
left join cluster_attachments on cluster_attachments.weak_cluster_id = weak_clusters.weak_cluster_id
