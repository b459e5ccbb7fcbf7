"""Suites of the marts dbt builds in `marts_build` (checked before `publish_marts` copies them into
`marts`): keys present and unique, every fact row joined to its dimensions, amounts not negative,
province codes within the region (all critical: they block publication), and the business rules
seen from the marts (women not above members or participants, paid out not above committed: warnings).
The history's structural invariants (one current version per organisation, contiguous versions) are
dbt tests (dbt_project/tests/assert_organisation_versions_contiguous.sql), not repeated here
(docs/history.md).

dbt's own tests (schema .yml files) show as asset checks too; these suites are the council's rules,
kept with the raw ones in expectations/gx/.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from orchestration.quality.catalog import (
    CRITICAL,
    WARNING,
    Rule,
    Suite,
    compound_unique,
    in_set,
    not_negative,
    not_null,
    province_in_region,
    row_count_at_least,
    rows,
    unique,
)

SCHEMA = "marts_build"


@dataclass(frozen=True)
class ForeignKey:
    column: str
    dimension: str
    dimension_key: str
    required: bool = True  # a NULL is an orphan row too


@dataclass(frozen=True)
class Mart:
    name: str
    key: str  # surrogate key of the table
    natural_key: tuple[str, ...] = ()  # unique business key, when there is one
    required: tuple[str, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    key_sql: str | None = None  # what names an offending row for people (default: the natural key)
    line_sql: str | None = None  # where the row came from (source file line), when the mart keeps it
    extra: tuple[Rule, ...] = field(default_factory=tuple)

    @property
    def table(self) -> str:
        return f"{SCHEMA}.{self.name}"

    @property
    def label_sql(self) -> str:
        if self.key_sql:
            return self.key_sql
        if self.natural_key:
            return " || ' ' || ".join(f"coalesce({c}::text, '?')" for c in self.natural_key)
        return self.key


def _joined(mart: Mart, fk: ForeignKey) -> Rule:
    missing = f"{fk.column} is null or " if fk.required else f"{fk.column} is not null and "
    return rows(
        f"{fk.column}_in_{fk.dimension}", CRITICAL,
        f"chaque ligne a son {fk.column} dans {fk.dimension}" + ("" if fk.required else " (quand renseigné)"),
        f"""
        select {mart.label_sql} as key, {fk.column} as missing_key
        from (select * from {{batch}}) as facts
        where {missing}not exists (
            select 1 from {SCHEMA}.{fk.dimension} as dimension
            where dimension.{fk.dimension_key} = facts.{fk.column})
        """,
        f"{fk.column} ({{missing_key}}) absent de {fk.dimension}",
    )


def mart_suite(mart: Mart) -> Suite:
    rules: list[Rule] = [row_count_at_least(), not_null(mart.key), unique(mart.key)]
    if len(mart.natural_key) == 1:
        rules += [not_null(mart.natural_key[0]), unique(mart.natural_key[0])]
    elif mart.natural_key:
        rules.append(compound_unique(list(mart.natural_key)))
    rules += [not_null(c) for c in mart.required]
    rules += [_joined(mart, fk) for fk in mart.foreign_keys]
    rules += list(mart.extra)
    key_columns = (mart.natural_key or (mart.key,))
    return Suite(f"marts_{mart.name}", ("marts_build", mart.name), mart.table,
                 f"select * from {mart.table}", tuple(key_columns), tuple(rules))


def _fk(column: str, dimension: str, required: bool = True) -> ForeignKey:
    return ForeignKey(column, dimension, column, required)


PROJECT_REF = (f"coalesce((select p.project_ref from {SCHEMA}.dim_project p "
               "where p.project_key = facts.project_key), project_key)")
ORGANISATION_ID = (f"coalesce((select o.organisation_id from {SCHEMA}.dim_organisation o "
                   "where o.organisation_key = facts.organisation_key), organisation_key)")
SESSION_ID = (f"coalesce((select s.session_id from {SCHEMA}.dim_session s "
              "where s.session_key = facts.session_key), session_key)")

MARTS: tuple[Mart, ...] = (
    Mart("dim_organisation", "organisation_key", ("organisation_id", "version_number"),
         required=("organisation_id", "organisation_type", "valid_from"), key_sql="organisation_id",
         extra=(
             province_in_region(),
             in_set("organisation_type", ["cooperative", "association", "gie"], CRITICAL),
             rows("women_not_above_members", WARNING, "dont femmes ≤ adhérents", """
                 select organisation_id as key, members_women, members_total from {batch}
                 where is_current and in_register and members_women > members_total""",
                  "femmes ({members_women}) > adhérents ({members_total})"),
             not_negative("members_total"),
             not_negative("members_women"),
         )),
    Mart("organisation_source_map", "source_record_key", ("source_system", "source_record_id", "province_code"),
         required=("organisation_id", "match_rule"),
         extra=(
             rows("organisation_id_in_dim_organisation", CRITICAL, "chaque enregistrement source a son organisation",
                  f"""
                 select source_system || ' ' || source_record_id as key, organisation_id
                 from (select * from {{batch}}) as records
                 where not exists (select 1 from {SCHEMA}.dim_organisation o
                                   where o.organisation_id = records.organisation_id)""",
                  "organisation {organisation_id} absente de dim_organisation"),
         )),
    Mart("dim_project", "project_key", ("source_system", "project_ref"), required=("project_ref",),
         key_sql="project_ref",
         extra=(
             province_in_region(),
             not_negative("total_cost_mad"),
             rows("organisation_id_in_dim_organisation", CRITICAL, "le porteur, quand il est connu, est dans dim_organisation",
                  f"""
                 select project_ref as key, organisation_id from (select * from {{batch}}) as projects
                 where organisation_id is not null and not exists (
                     select 1 from {SCHEMA}.dim_organisation o where o.organisation_id = projects.organisation_id)""",
                  "porteur {organisation_id} absent de dim_organisation"),
             rows("programme_code_in_dim_programme", CRITICAL, "le programme, quand il est connu, est dans dim_programme",
                  f"""
                 select project_ref as key, programme_code from (select * from {{batch}}) as projects
                 where programme_code is not null and not exists (
                     select 1 from {SCHEMA}.dim_programme p where p.programme_code = projects.programme_code)""",
                  "programme {programme_code} absent de dim_programme"),
             rows("dates_within_programme", WARNING, "date d'approbation dans les années du programme", f"""
                 select project_ref as key, approved_on, programme_code from (select * from {{batch}}) as projects
                 where approved_on is not null and exists (
                     select 1 from {SCHEMA}.dim_programme p where p.programme_code = projects.programme_code
                       and extract(year from projects.approved_on) not between coalesce(p.start_year, 1900)
                                                                        and coalesce(p.end_year, 2100))""",
                  "approuvé le {approved_on}, hors des années du programme {programme_code}"),
         )),
    Mart("dim_programme", "programme_key", ("programme_code",), required=("name_fr",),
         extra=(rows("years_ordered", CRITICAL, "start_year ≤ end_year", """
                 select programme_code as key, start_year, end_year from {batch} where end_year < start_year""",
                     "de {start_year} à {end_year}"),)),
    Mart("dim_axis", "axis_key", ("axis_code",), required=("name_fr",)),
    Mart("dim_institution", "institution_key", ("institution_code",), required=("name_fr",)),
    Mart("dim_indicator", "indicator_key", ("indicator_code",), required=("name_fr",)),
    Mart("dim_geography", "geography_key", ("province_code", "commune_name_fr"), required=("province_code",),
         extra=(province_in_region(), in_set("region_code", ["03"], CRITICAL, rule="region_code_is_fes_meknes"))),
    Mart("dim_date", "date_key", ("date",)),
    Mart("dim_session", "session_key", ("session_id",), required=("session_type",),
         extra=(
             province_in_region(),
             rows("ends_after_start", WARNING, "date de fin ≥ date de début", """
                 select session_id as key, starts_on, ends_on from {batch} where ends_on < starts_on""",
                  "fin ({ends_on}) avant le début ({starts_on})"),
         )),
    Mart("fct_funding", "funding_key", required=("flow_type", "amount_mad"), key_sql=PROJECT_REF,
         foreign_keys=(_fk("project_key", "dim_project"), _fk("organisation_key", "dim_organisation"),
                       _fk("programme_key", "dim_programme"), _fk("axis_key", "dim_axis"),
                       _fk("institution_key", "dim_institution"), _fk("geography_key", "dim_geography"),
                       _fk("date_key", "dim_date")),
         extra=(
             not_negative("amount_mad"),
             in_set("flow_type", ["commitment", "disbursement"], CRITICAL),
             rows("paid_out_not_above_committed", WARNING, "versé ≤ engagé, par projet et bailleur", f"""
                 with facts as (select * from {{batch}})
                 select {PROJECT_REF} as key, facts.institution_key,
                        sum(amount_mad) filter (where flow_type = 'disbursement') as paid_out,
                        coalesce(sum(amount_mad) filter (where flow_type = 'commitment'), 0) as committed
                 from facts group by facts.project_key, facts.institution_key
                 having sum(amount_mad) filter (where flow_type = 'disbursement')
                        > coalesce(sum(amount_mad) filter (where flow_type = 'commitment'), 0)""",
                  "versé ({paid_out} DH) > engagé ({committed} DH)"),
         )),
    Mart("fct_outcome", "outcome_key", required=("value_type",), key_sql=ORGANISATION_ID,
         foreign_keys=(_fk("organisation_key", "dim_organisation"), _fk("project_key", "dim_project", False),
                       _fk("indicator_key", "dim_indicator"), _fk("date_key", "dim_date")),
         extra=(not_negative("value"), in_set("value_type", ["actual", "target"], CRITICAL))),
    Mart("fct_participation", "participation_key", key_sql=f"{SESSION_ID} || ' ' || {ORGANISATION_ID}",
         foreign_keys=(_fk("organisation_key", "dim_organisation"), _fk("session_key", "dim_session"),
                       _fk("date_key", "dim_date"), _fk("geography_key", "dim_geography")),
         extra=(
             *(not_negative(c) for c in ("participants", "women", "persons_with_disabilities", "sales_mad")),
             rows("participants_breakdown", WARNING, "dont femmes et dont PSH ≤ participants", f"""
                 select {SESSION_ID} || ' ' || {ORGANISATION_ID} as key, participants, women,
                        persons_with_disabilities
                 from (select * from {{batch}}) as facts
                 where women > participants or persons_with_disabilities > participants""",
                  "femmes ({women}) ou PSH ({persons_with_disabilities}) > participants ({participants})"),
         )),
)


def mart_suites() -> list[Suite]:
    return [mart_suite(m) for m in MARTS]
