{#- Members of the Chamber of Traditional Crafts as of the latest loaded export: one row per member. -#}
{{ latest_snapshot_rows(ref('stg_chambre__member_snapshots')) }}
