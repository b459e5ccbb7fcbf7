-- The complementary programmes for women and persons with disabilities: their projects and the
-- Chamber sessions held under them.
select
    pr.programme_code, pr.name_fr as programme_fr, pr.name_ar as programme_ar,
    (select count(*) from projects where projects.programme_code = pr.programme_code) as projects,
    (select count(*) from sessions where sessions.programme_code = pr.programme_code) as sessions,
    (
        select coalesce(sum(participants), 0) from participation
        where participation.programme_code = pr.programme_code
    ) as participants,
    (
        select coalesce(sum(women), 0) from participation
        where participation.programme_code = pr.programme_code
    ) as women,
    (
        select coalesce(sum(persons_with_disabilities), 0) from participation
        where participation.programme_code = pr.programme_code
    ) as persons_with_disabilities
from marts.dim_programme as pr
where
    pr.framework in ('Economic empowerment of women', 'Inclusion of persons with disabilities')
    and (cast(:programme as text) is null or pr.programme_code = cast(:programme as text))
order by pr.programme_code
