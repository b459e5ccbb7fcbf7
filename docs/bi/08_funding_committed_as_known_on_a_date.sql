-- Funding committed, by programme, as the deliveries known on 31 December 2026 showed it
select p.programme_code, p.name_fr as programme_fr, p.name_ar as programme_ar, sum(h.amount_mad) as committed_mad
from marts.fct_funding_history h
join marts.dim_programme p using (programme_key)
where
    h.flow_type = 'commitment'
    and h.known_from <= date '2026-12-31' and (h.known_to is null or h.known_to > date '2026-12-31')
group by 1, 2, 3
order by 1;
