{#- One French and one Arabic label per code of each label group, from the labels seed. The statuses
    of several providers share one group (a cooperative's and an association's `active` are one
    code): cooperative_status, association_status and organisation_status make organisation_status;
    mouazara_status, indh_status and project_status make project_status; every other label set is
    its own group. -#}
with labels as (
    select
        case
            when label_set in ('cooperative_status', 'association_status', 'organisation_status')
                then 'organisation_status'
            when label_set in ('mouazara_status', 'indh_status', 'project_status') then 'project_status'
            else label_set
        end as label_group,
        label_set,
        source_value,
        code,
        label_fr,
        label_ar
    from {{ ref('labels') }}
)

select distinct on (label_group, code)
    label_group,
    code,
    label_fr,
    label_ar
from labels
order by label_group, code, label_set, source_value
