{#- Mouazara projects as of the latest loaded snapshot: one row per project. -#}
{{ latest_snapshot_rows(ref('stg_ministere__mouazara_project_snapshots')) }}
