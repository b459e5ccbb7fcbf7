"""The suites of the raw tables: one per source of sources/, judging its rows in force
(rows_in_force.py). The sources the council knows have hand-written suites here; any other source
(one `tadamon source new` drafted) gets the starter suite derived from its definition: this module
and the definitions under sources/ are the one declaration of the raw suites.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from orchestration.ingest.definitions import SourceDefinition
from orchestration.quality.raw_rules import ice_rule, keyed, loaded_rows_exist, raw_suite, starter_suite, volume_rule
from orchestration.quality.rules import (
    CRITICAL,
    WARNING,
    Suite,
    compound_unique,
    in_set,
    matches,
    not_negative,
    not_null,
    province_in_region,
    row_count_at_least,
    rows,
    unique,
)

# Mouazara: ministry grant cap per project from the 2024 edition on
MOUAZARA_CAP_MAD = 49000
MOUAZARA_CAP_FROM_YEAR = 2024
MOUAZARA_FIRST_YEAR = 2020
# INDH: contribution at most 70 % of the total cost and at most 300,000 DH
INDH_MAX_SHARE = 0.7
INDH_MAX_MAD = 300000
# INDH phases and their years (phase II 2011-2018, phase III from 2019)
INDH_PHASES = {"الثانية": (2011, 2018), "الثالثة": (2019, 2030)}


def raw_register(definition: SourceDefinition) -> Suite:
    t = definition.table
    return raw_suite(
        definition,
        (
            row_count_at_least(),
            volume_rule(t),
            not_null("register_number"),
            unique("register_number"),
            not_null("name_fr"),
            province_in_region(),
            not_negative("members_total"),
            not_negative("members_women"),
            not_negative("capital_mad"),
            matches(
                "register_number",
                r"^(FES|MKN|BLM|HAJ|IFR|MYQ|SEF|TAO|TAZ)/[0-9]{4}/[0-9]{4}$",
                WARNING,
                "n° d'immatriculation au format VILLE/AAAA/NNNN",
            ),
            keyed(ice_rule(), "register_number"),
            rows(
                "women_not_above_members",
                WARNING,
                "dont femmes ≤ adhérents",
                """
            select _line as line, register_number as key, members_women, members_total from {batch}
            where members_women > members_total""",
                "femmes ({members_women}) > adhérents ({members_total})",
            ),
            rows(
                "founded_on_plausible",
                WARNING,
                "date de constitution entre 1900 et la date du fichier",
                """
            select _line as line, register_number as key, founded_on from {batch}
            where founded_on < date '1900-01-01' or founded_on > to_date(_period, 'YYYYMMDD')""",
                "date de constitution ({founded_on}) hors de 1900 – date du fichier",
            ),
            in_set("status", ["Active", "En veille", "Dissoute", "En liquidation"]),
        ),
    )


def raw_mouazara(definition: SourceDefinition) -> Suite:
    t = definition.table
    edition_year = r"nullif(substring(edition from '\((\d{{4}})\)'), '')::int"
    return raw_suite(
        definition,
        (
            row_count_at_least(),
            volume_rule(t),
            not_null("project_ref"),
            unique("project_ref"),
            not_null("ministry_grant_mad"),
            province_in_region(),
            *(
                not_negative(c)
                for c in (
                    "total_cost_mad",
                    "ministry_grant_mad",
                    "region_cofinancing_mad",
                    "holder_contribution_mad",
                    "disbursed_mad",
                )
            ),
            matches("project_ref", r"^MZ-[0-9]{4}-FM-[0-9]{4}$", WARNING, "référence au format MZ-AAAA-FM-NNNN"),
            matches("edition", r"^\s*[0-9]+\s*\([0-9]{4}\)\s*$", WARNING, "édition au format « N (AAAA) »"),
            rows(
                "disbursed_not_above_grant",
                WARNING,
                "montant décaissé ≤ subvention du ministère",
                """
            select _line as line, project_ref as key, disbursed_mad, ministry_grant_mad from {batch}
            where disbursed_mad > ministry_grant_mad""",
                "décaissé ({disbursed_mad} DH) > subvention ({ministry_grant_mad} DH)",
            ),
            rows(
                "grant_within_edition_cap",
                WARNING,
                f"subvention ≤ {MOUAZARA_CAP_MAD} DH à partir de l'édition {MOUAZARA_CAP_FROM_YEAR}",
                f"""
            select _line as line, project_ref as key, edition, ministry_grant_mad from {{batch}}
            where {edition_year} >= {MOUAZARA_CAP_FROM_YEAR} and ministry_grant_mad > {MOUAZARA_CAP_MAD}""",
                f"subvention ({{ministry_grant_mad}} DH) > plafond de {MOUAZARA_CAP_MAD} DH de l'édition {{edition}}",
            ),
            rows(
                "funding_not_above_cost",
                WARNING,
                "subvention + cofinancement région ≤ coût total",
                """
            select _line as line, project_ref as key, ministry_grant_mad, region_cofinancing_mad, total_cost_mad
            from {batch}
            where ministry_grant_mad + coalesce(region_cofinancing_mad, 0) > total_cost_mad""",
                "subvention ({ministry_grant_mad} DH) + région ({region_cofinancing_mad} DH) "
                "> coût total ({total_cost_mad} DH)",
            ),
            rows(
                "dates_within_programme",
                WARNING,
                f"édition entre {MOUAZARA_FIRST_YEAR} et l'année du fichier, convention signée l'année de "
                "l'édition ou la suivante, dernier décaissement après la convention",
                f"""
            select _line as line, project_ref as key, edition, agreement_on, last_disbursed_on from {{batch}}
            where {edition_year} < {MOUAZARA_FIRST_YEAR}
               or {edition_year} > extract(year from to_date(_period, 'YYYYMMDD'))
               or extract(year from agreement_on) not between {edition_year} and {edition_year} + 1
               or last_disbursed_on < agreement_on""",
                "dates hors du programme (édition {edition}, convention {agreement_on}, "
                "dernier décaissement {last_disbursed_on})",
            ),
            rows(
                "beneficiaries_breakdown",
                WARNING,
                "dont femmes ≤ bénéficiaires et dont PSH ≤ bénéficiaires",
                """
            select _line as line, project_ref as key, beneficiaries, beneficiaries_women, beneficiaries_disabled
            from {batch}
            where beneficiaries_women > beneficiaries or beneficiaries_disabled > beneficiaries""",
                "bénéficiaires ({beneficiaries}) < femmes ({beneficiaries_women}) ou PSH ({beneficiaries_disabled})",
            ),
            in_set("status", ["Sélectionné", "Conventionné", "En cours", "Achevé", "Abandonné"]),
            in_set("holder_type", ["Coopérative", "Association"]),
        ),
    )


def raw_associations(definition: SourceDefinition) -> Suite:
    t = definition.table
    key = "receipt_number || ' ' || province_code"
    return raw_suite(
        definition,
        (
            row_count_at_least(),
            volume_rule(t),
            not_null("receipt_number"),
            not_null("province_code"),
            compound_unique(["receipt_number", "province_code"]),
            not_null("name_ar"),
            province_in_region(),
            not_negative("members_total"),
            matches("receipt_number", r"^[0-9]{4}/[0-9]+$", WARNING, "n° de récépissé au format AAAA/N"),
            rows(
                "founded_before_receipt",
                WARNING,
                "date de fondation ≤ date du récépissé",
                f"""
            select _line as line, {key} as key, founded_on, receipt_date from {{batch}}
            where founded_on > receipt_date""",
                "fondée le {founded_on}, après son récépissé du {receipt_date}",
            ),
            in_set("status", ["نشيطة", "غير نشيطة", "منحلة"]),
        ),
    )


def raw_indh(definition: SourceDefinition) -> Suite:
    t = definition.table
    phase_years = " ".join(
        f"when '{p}' then extract(year from approved_on) not between {a} and {b}" for p, (a, b) in INDH_PHASES.items()
    )
    return raw_suite(
        definition,
        (
            loaded_rows_exist(t),
            not_null("project_code"),
            unique("project_code"),
            not_null("indh_contribution_mad"),
            province_in_region(),
            *(
                not_negative(c)
                for c in (
                    "total_cost_mad",
                    "indh_contribution_mad",
                    "partners_contribution_mad",
                    "holder_contribution_mad",
                    "disbursed_mad",
                )
            ),
            rows(
                "indh_share_within_rule",
                WARNING,
                f"contribution INDH ≤ {INDH_MAX_SHARE:.0%} du coût total et ≤ {INDH_MAX_MAD} DH",
                f"""
            select _line as line, project_code as key, indh_contribution_mad, total_cost_mad from {{batch}}
            where indh_contribution_mad > {INDH_MAX_SHARE} * total_cost_mad
               or indh_contribution_mad > {INDH_MAX_MAD}""",
                f"contribution INDH ({{indh_contribution_mad}} DH) > {INDH_MAX_SHARE:.0%} du coût "
                f"({{total_cost_mad}} DH) ou > {INDH_MAX_MAD} DH",
            ),
            rows(
                "disbursed_not_above_contribution",
                WARNING,
                "montant versé ≤ contribution INDH",
                """
            select _line as line, project_code as key, disbursed_mad, indh_contribution_mad from {batch}
            where disbursed_mad > indh_contribution_mad""",
                "versé ({disbursed_mad} DH) > contribution INDH ({indh_contribution_mad} DH)",
            ),
            rows(
                "approved_within_phase",
                WARNING,
                "date d'approbation dans les années de la phase INDH",
                f"""
            select _line as line, project_code as key, phase, approved_on from {{batch}}
            where case phase {phase_years} else 1 = 0 end""",
                "approuvé le {approved_on}, hors des années de la phase {phase}",
            ),
            rows(
                "beneficiaries_breakdown",
                WARNING,
                "femmes, PSH et jeunes ≤ bénéficiaires",
                """
            select _line as line, project_code as key, beneficiaries, beneficiaries_women,
                   beneficiaries_disabled, beneficiaries_young from {batch}
            where beneficiaries_women > beneficiaries or beneficiaries_disabled > beneficiaries
               or beneficiaries_young > beneficiaries""",
                "bénéficiaires ({beneficiaries}) < femmes ({beneficiaries_women}), PSH "
                "({beneficiaries_disabled}) ou jeunes ({beneficiaries_young})",
            ),
            in_set("phase", list(INDH_PHASES)),
            in_set("status", ["في طور الإنجاز", "منجز", "متوقف"]),
            in_set("holder_legal_form", ["تعاونية", "جمعية", "مجموعة ذات النفع الاقتصادي"]),
        ),
    )


def raw_adherents(definition: SourceDefinition) -> Suite:
    t = definition.table
    return raw_suite(
        definition,
        (
            row_count_at_least(),
            volume_rule(t),
            not_null("member_id"),
            unique("member_id"),
            not_null("name_fr"),
            province_in_region(),
            not_negative("members_men"),
            not_negative("members_women"),
            matches("member_id", r"^CA-FM-[0-9]{6}$", WARNING, "identifiant au format CA-FM-NNNNNN"),
            in_set("member_type", ["cooperative", "association", "entreprise_artisanale"]),
            keyed(ice_rule(), "member_id"),
            rows(
                "joined_on_plausible",
                WARNING,
                "date d'adhésion au plus tard à la date de l'export",
                """
            select _line as line, member_id as key, joined_on from {batch}
            where joined_on > to_date(_period, 'YYYYMMDD')""",
                "adhésion le {joined_on}, après la date de l'export",
            ),
        ),
    )


# programme named in the free text -> its years (a session outside them is suspect)
SESSION_PROGRAMMES = (
    ("PDR 2016-2021", "programme ilike '%2016%2021%'", 2016, 2021),
    ("PDR 2022-2027", "programme ilike '%2022%2027%'", 2022, 2027),
    ("Mouazara", "programme ilike '%mouazara%'", MOUAZARA_FIRST_YEAR, 2100),
)


def raw_formations(definition: SourceDefinition) -> Suite:
    t = definition.table
    programme_years = " ".join(
        f"when {cond} then extract(year from starts_on) not between {a} and {b}" for _, cond, a, b in SESSION_PROGRAMMES
    )
    return raw_suite(
        definition,
        (
            loaded_rows_exist(t),
            not_null("session_id"),
            unique("session_id"),
            not_null("session_type"),
            in_set("session_type", ["formation", "rencontre", "salon"]),
            province_in_region(severity=CRITICAL),
            rows(
                "ends_after_start",
                WARNING,
                "date de fin ≥ date de début",
                """
            select _line as line, session_id as key, starts_on, ends_on from {batch}
            where ends_on < starts_on""",
                "fin ({ends_on}) avant le début ({starts_on})",
            ),
            rows(
                "dates_within_programme",
                WARNING,
                "session dans les années de son programme",
                f"""
            select _line as line, session_id as key, programme, starts_on from {{batch}}
            where case {programme_years} else 1 = 0 end""",
                "session du {starts_on} hors des années du programme « {programme} »",
            ),
            rows(
                "participants_breakdown",
                WARNING,
                "dont femmes et dont PSH ≤ participants, par adhérent",
                """
            select _line as line, session_id as key, p ->> 'id_adherent' as member_id,
                   (p ->> 'nb_participants')::numeric as participants,
                   (p ->> 'dont_femmes')::numeric as women, (p ->> 'dont_psh')::numeric as disabled
            from {batch}, jsonb_array_elements(coalesce(participants, '[]'::jsonb)) as p
            where (p ->> 'dont_femmes')::numeric > (p ->> 'nb_participants')::numeric
               or (p ->> 'dont_psh')::numeric > (p ->> 'nb_participants')::numeric""",
                "adhérent {member_id} : femmes ({women}) ou PSH ({disabled}) > participants ({participants})",
            ),
            rows(
                "amounts_not_negative",
                CRITICAL,
                "participants et chiffres d'affaires non négatifs",
                """
            select _line as line, session_id as key from {batch}
            where exists (select 1 from jsonb_array_elements(coalesce(participants, '[]'::jsonb)) as p
                          where (p ->> 'nb_participants')::numeric < 0)
               or exists (select 1 from jsonb_array_elements(coalesce(sales, '[]'::jsonb)) as s
                          where (s ->> 'chiffre_affaires_dh')::numeric < 0)""",
            ),
        ),
    )


# the council's sources, in the order of the GX project's files
HAND_WRITTEN: dict[str, Callable[[SourceDefinition], Suite]] = {
    "ministere__register": raw_register,
    "ministere__mouazara": raw_mouazara,
    "wilaya__associations": raw_associations,
    "wilaya__indh_agr": raw_indh,
    "chambre__adherents": raw_adherents,
    "chambre__formations": raw_formations,
}


def suite_for(definition: SourceDefinition) -> Suite:
    """The suite of one source: the hand-written one, else the starter suite."""
    return HAND_WRITTEN.get(definition.table, starter_suite)(definition)


def raw_suites(definitions: Iterable[SourceDefinition]) -> list[Suite]:
    """One suite per definition (the hand-written ones first, in HAND_WRITTEN's order)."""
    order = list(HAND_WRITTEN)
    ranked = sorted(definitions, key=lambda d: order.index(d.table) if d.table in order else len(order))
    return [suite_for(d) for d in ranked]
