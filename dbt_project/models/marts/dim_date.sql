{{ config(contract={'enforced': true}) }}

with calendar as (
    select generated_date::date as calendar_date
    from generate_series(date '1990-01-01', date '2035-12-31', interval '1 day') as generated_date
)

select
    {{ date_key('calendar_date') }} as date_key,
    calendar_date as date,
    extract(year from calendar_date)::int as year,
    extract(quarter from calendar_date)::int as quarter,
    extract(month from calendar_date)::int as month,
    extract(day from calendar_date)::int as day_of_month,
    extract(isodow from calendar_date)::int as day_of_week,
    extract(doy from calendar_date)::int as day_of_year,
    extract(week from calendar_date)::int as iso_week,
    to_char(calendar_date, 'YYYY-MM') as year_month,
    extract(year from calendar_date)::int || '-Q' || extract(quarter from calendar_date)::int as year_quarter,
    (array[
        'janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre',
        'octobre', 'novembre', 'décembre'
    ])[extract(month from calendar_date
    )::int] as month_name_fr,
    (array[
        'يناير', 'فبراير', 'مارس', 'أبريل', 'ماي', 'يونيو', 'يوليوز', 'غشت', 'شتنبر', 'أكتوبر',
        'نونبر', 'دجنبر'
    ])[extract(month from calendar_date
    )::int] as month_name_ar,
    extract(isodow from calendar_date) in (6, 7) as is_weekend
from calendar
