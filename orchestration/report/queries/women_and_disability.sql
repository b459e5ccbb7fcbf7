-- Women and persons with disabilities: project beneficiaries (latest value of each project),
-- women members of cooperatives (latest register snapshot) and participants in Chamber sessions.
with measures (measure_code, measure_fr, measure_ar, value, sort_order) as (
    select
        'BENEFICIARIES_WOMEN', 'Bénéficiaires femmes des projets', 'المستفيدات من المشاريع',
        (select coalesce(sum(value), 0) from project_outcomes where indicator_code = 'BENEFICIARIES_WOMEN'), 1
    union all
    select
        'BENEFICIARIES_DISABLED', 'Bénéficiaires en situation de handicap', 'المستفيدون في وضعية إعاقة',
        (select coalesce(sum(value), 0) from project_outcomes where indicator_code = 'BENEFICIARIES_DISABLED'), 2
    union all
    select
        'MEMBERS_WOMEN', 'Adhérentes des coopératives', 'المنخرطات في التعاونيات',
        (select coalesce(sum(value), 0) from outcomes where project_key is null and indicator_code = 'MEMBERS_WOMEN'), 3
    union all
    select
        'PARTICIPANTS_WOMEN', 'Participantes aux sessions de la Chambre', 'المشاركات في أنشطة الغرفة',
        (select coalesce(sum(women), 0) from participation), 4
    union all
    select
        'PARTICIPANTS_DISABLED', 'Participants en situation de handicap', 'المشاركون في وضعية إعاقة',
        (select coalesce(sum(persons_with_disabilities), 0) from participation), 5
)

select measure_code, measure_fr, measure_ar, value from measures order by sort_order
