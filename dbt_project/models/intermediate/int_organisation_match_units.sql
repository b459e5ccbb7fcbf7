{#- Entity resolution, step 1: identifier units. Records carrying the same register number, the
    same association receipt in the same province, or the same RC form one unit; a record with only
    an ICE joins the unit of the register number that ICE is written beside (if exactly one), else
    an ICE unit. A record without any identifier is a unit of its own. Register and receipt units
    are "strong": two of them are never merged, whatever their names. One row per record. -#}
with records as (
    select * from {{ ref('int_organisation_records') }}
),

ice_registers as (
    -- an ICE written beside exactly one register number identifies that cooperative
    select ice, min(register_number) as register_number
    from records
    where ice is not null and register_number is not null
    group by ice
    having count(distinct register_number) = 1
),

record_units as (
    select
        records.*,
        case
            when records.register_number is not null then 'register:' || records.register_number
            when records.association_receipt is not null
                then 'receipt:' || records.association_receipt || '@' || records.province_code
            when records.rc_number is not null then 'rc:' || records.rc_number
            when ice_registers.register_number is not null then 'register:' || ice_registers.register_number
            when records.ice is not null then 'ice:' || records.ice
            else 'record:' || records.organisation_record_key
        end as unit_id,
        ice_registers.register_number is not null and records.register_number is null as joined_by_ice
    from records
    left join ice_registers on ice_registers.ice = records.ice
)

select
    record_units.*,
    split_part(record_units.unit_id, ':', 1) as unit_kind,
    split_part(record_units.unit_id, ':', 1) in ('register', 'receipt') as is_strong
from record_units
