-- Section 1 headline: organisations known, those the council's programmes reached, projects,
-- money committed and disbursed, and the disbursement rate (disbursed / committed).
select
    (select count(*) from organisations) as organisations,
    (
        select count(*) from organisations
        where organisation_id in (select organisation_id from supported_organisations)
    ) as organisations_supported,
    (select count(*) from projects) as projects,
    (select coalesce(sum(committed_mad), 0) from funding) as committed_mad,
    (select coalesce(sum(disbursed_mad), 0) from funding) as disbursed_mad,
    (select
        round(
            sum(disbursed_mad)
            / nullif(sum(committed_mad), 0), 4
        )
    from funding) as disbursement_rate
