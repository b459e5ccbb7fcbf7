{#- The associations register as of the latest loaded snapshot: one row per association. -#}
{{ latest_snapshot_rows(ref('stg_wilaya__association_snapshots')) }}
