"""Suites of the marts dbt builds in `marts_build` (checked before `publish_marts` copies them into
`marts`): the council's rules seen from the marts, in GX: provinces within the region, amounts not
negative (critical: they block publication), and the business rules (women not above members or
participants, paid out not above committed, dates within the programme: warnings).

The structural invariants (keys unique and present, columns required, every fact row joined to its
dimensions, accepted values) are dbt tests of models/marts/_marts__models.yml, shown as asset checks
too, and not repeated here; the history's invariants (one current version per organisation, which is
its latest; contiguous versions) are dbt_project/tests/assert_organisation_versions_contiguous.sql
(docs/history.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from orchestration.quality.rules import (
    CRITICAL,
    WARNING,
    Rule,
    Suite,
    in_set,
    not_negative,
    province_in_region,
    row_count_at_least,
    rows,
)
from orchestration.warehouse.schemas import BUILD

SCHEMA = BUILD


@dataclass(frozen=True)
class Mart:
    name: str
    key: str  # surrogate key of the table
    natural_key: tuple[str, ...] = ()  # business key, when there is one: names the offending rows
    rules: tuple[Rule, ...] = field(default_factory=tuple)

    @property
    def table(self) -> str:
        return f"{SCHEMA}.{self.name}"


def mart_suite(mart: Mart) -> Suite:
    key_columns = mart.natural_key or (mart.key,)
    return Suite(
        f"marts_{mart.name}",
        (SCHEMA, mart.name),
        mart.table,
        f"select * from {mart.table}",
        tuple(key_columns),
        (row_count_at_least(), *mart.rules),
    )


PROJECT_REF = (
    f"coalesce((select p.project_ref from {SCHEMA}.dim_project p where p.project_key = facts.project_key), project_key)"
)
ORGANISATION_ID = (
    f"coalesce((select o.organisation_id from {SCHEMA}.dim_organisation o "
    "where o.organisation_key = facts.organisation_key), organisation_key)"
)
SESSION_ID = (
    f"coalesce((select s.session_id from {SCHEMA}.dim_session s where s.session_key = facts.session_key), session_key)"
)

PARTICIPATION = f"{SESSION_ID} || ' ' || {ORGANISATION_ID}"

MARTS: tuple[Mart, ...] = (
    Mart(
        "dim_organisation",
        "organisation_key",
        ("organisation_id", "version_number"),
        (
            province_in_region(),
            rows(
                "women_not_above_members",
                WARNING,
                "dont femmes ≤ adhérents",
                """
            select organisation_id as key, members_women, members_total from {batch}
            where is_current and in_register and members_women > members_total""",
                "femmes ({members_women}) > adhérents ({members_total})",
            ),
            not_negative("members_total"),
            not_negative("members_women"),
        ),
    ),
    Mart("organisation_source_map", "source_record_key", ("source_system", "source_record_id", "province_code")),
    Mart(
        "dim_project",
        "project_key",
        ("source_system", "project_ref"),
        (
            province_in_region(),
            not_negative("total_cost_mad"),
            rows(
                "dates_within_programme",
                WARNING,
                "date d'approbation dans les années du programme",
                f"""
            select project_ref as key, approved_on, programme_code from (select * from {{batch}}) as projects
            where approved_on is not null and exists (
                select 1 from {SCHEMA}.dim_programme p where p.programme_code = projects.programme_code
                  and extract(year from projects.approved_on) not between coalesce(p.start_year, 1900)
                                                                   and coalesce(p.end_year, 2100))""",
                "approuvé le {approved_on}, hors des années du programme {programme_code}",
            ),
        ),
    ),
    Mart(
        "dim_programme",
        "programme_key",
        ("programme_code",),
        (
            rows(
                "years_ordered",
                CRITICAL,
                "start_year ≤ end_year",
                """
            select programme_code as key, start_year, end_year from {batch} where end_year < start_year""",
                "de {start_year} à {end_year}",
            ),
        ),
    ),
    Mart("dim_axis", "axis_key", ("axis_code",)),
    Mart("dim_institution", "institution_key", ("institution_code",)),
    Mart("dim_indicator", "indicator_key", ("indicator_code",)),
    Mart(
        "dim_geography",
        "geography_key",
        ("province_code", "commune_name_fr"),
        (
            province_in_region(),
            in_set("region_code", ["03"], CRITICAL, rule="region_code_is_fes_meknes"),
        ),
    ),
    Mart("dim_date", "date_key", ("date",)),
    Mart(
        "dim_session",
        "session_key",
        ("session_id",),
        (
            province_in_region(),
            rows(
                "ends_after_start",
                WARNING,
                "date de fin ≥ date de début",
                """
            select session_id as key, starts_on, ends_on from {batch} where ends_on < starts_on""",
                "fin ({ends_on}) avant le début ({starts_on})",
            ),
        ),
    ),
    Mart(
        "fct_funding",
        "funding_key",
        (),
        (
            not_negative("amount_mad"),
            rows(
                "paid_out_not_above_committed",
                WARNING,
                "versé ≤ engagé, par projet et bailleur",
                f"""
            with facts as (select * from {{batch}})
            select {PROJECT_REF} as key, facts.institution_key,
                   sum(amount_mad) filter (where flow_type = 'disbursement') as paid_out,
                   coalesce(sum(amount_mad) filter (where flow_type = 'commitment'), 0) as committed
            from facts group by facts.project_key, facts.institution_key
            having sum(amount_mad) filter (where flow_type = 'disbursement')
                   > coalesce(sum(amount_mad) filter (where flow_type = 'commitment'), 0)""",
                "versé ({paid_out} DH) > engagé ({committed} DH)",
            ),
        ),
    ),
    Mart("fct_outcome", "outcome_key", (), (not_negative("value"),)),
    Mart(
        "fct_participation",
        "participation_key",
        (),
        (
            *(not_negative(c) for c in ("participants", "women", "persons_with_disabilities", "sales_mad")),
            rows(
                "participants_breakdown",
                WARNING,
                "dont femmes et dont PSH ≤ participants",
                f"""
            select {PARTICIPATION} as key, participants, women, persons_with_disabilities
            from (select * from {{batch}}) as facts
            where women > participants or persons_with_disabilities > participants""",
                "femmes ({women}) ou PSH ({persons_with_disabilities}) > participants ({participants})",
            ),
        ),
    ),
)


def mart_suites() -> list[Suite]:
    return [mart_suite(m) for m in MARTS]
