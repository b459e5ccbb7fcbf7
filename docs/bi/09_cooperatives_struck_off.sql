-- Cooperatives struck off the register, with the date and the snapshot that no longer held them
-- (no row until a register snapshot no longer holds a cooperative: none on a single delivery)
select register_number, name_fr, valid_from as struck_off_on, version_source_file
from marts.dim_organisation
where is_current and status = 'struck_off'
order by valid_from, register_number;
