{#- The cooperative register as of the latest loaded snapshot: one row per cooperative. -#}
{{ latest_snapshot_rows(ref('stg_ministere__cooperative_snapshots')) }}
