"""The rule helpers the suites are written with (orchestration/quality/raw_suites.py, mart_suites.py):
one function per kind of expectation, each giving a `Rule` with its severity, rule name and French
description.

Row rules are `UnexpectedRowsExpectation`s. Their queries follow one convention so the runner can
name the offending rows: they return a `key` column (the business key), a `line` column where the
rows have one (raw tables: `_line`, "ligne 12") and the values the finding template names. GX
substitutes `{batch}` with the batch query; a literal brace is written `{{`/`}}`; the word J-O-I-N
must not appear in a rule's query (GX then stops aliasing the batch), so related tables are reached
with `exists`/scalar subqueries.

Severity: `critical` = the data cannot be trusted (missing or duplicate keys, a negative amount, a
province outside the region, a half-delivered snapshot): the check blocks what is downstream
(publication). `warning` = a business rule broken by a row the provider really sent (women above
members, paid out above committed, a grant above its cap...): it loads, is reported, and the load
publishes.
"""

from __future__ import annotations

import csv
from functools import lru_cache

from orchestration.settings import REFERENCE_DIR
from orchestration.suites.model import CRITICAL, SEVERITIES, WARNING, Rule, Suite

__all__ = [
    "CRITICAL",
    "WARNING",
    "SEVERITIES",
    "Rule",
    "Suite",
    "not_null",
    "unique",
    "compound_unique",
    "not_negative",
    "in_set",
    "matches",
    "row_count_at_least",
    "rows",
    "squash",
    "region_provinces",
    "province_in_region",
]


def not_null(column: str, severity: str = CRITICAL, description: str | None = None) -> Rule:
    return Rule(
        f"{column}_present",
        severity,
        description or f"{column} est renseigné",
        "ExpectColumnValuesToNotBeNull",
        {"column": column},
    )


def unique(column: str, severity: str = CRITICAL) -> Rule:
    return Rule(
        f"{column}_unique", severity, f"{column} est unique", "ExpectColumnValuesToBeUnique", {"column": column}
    )


def compound_unique(columns: list[str], severity: str = CRITICAL) -> Rule:
    return Rule(
        f"{'_'.join(columns)}_unique",
        severity,
        f"({', '.join(columns)}) est unique",
        "ExpectCompoundColumnsToBeUnique",
        {"column_list": columns},
    )


def not_negative(column: str, severity: str = CRITICAL) -> Rule:
    return Rule(
        f"{column}_not_negative",
        severity,
        f"{column} n'est pas négatif",
        "ExpectColumnValuesToBeBetween",
        {"column": column, "min_value": 0},
    )


def in_set(column: str, values: list[str], severity: str = WARNING, rule: str | None = None) -> Rule:
    return Rule(
        rule or f"{column}_known",
        severity,
        f"{column} est une valeur connue ({', '.join(values)})",
        "ExpectColumnValuesToBeInSet",
        {"column": column, "value_set": values},
    )


def matches(column: str, regex: str, severity: str, description: str, rule: str | None = None) -> Rule:
    return Rule(
        rule or f"{column}_format",
        severity,
        description,
        "ExpectColumnValuesToMatchRegex",
        {"column": column, "regex": regex},
    )


def row_count_at_least(minimum: int = 1) -> Rule:
    return Rule(
        "not_empty", CRITICAL, f"au moins {minimum} ligne(s)", "ExpectTableRowCountToBeBetween", {"min_value": minimum}
    )


def rows(rule: str, severity: str, description: str, query: str, finding: str | None = None) -> Rule:
    """A row rule: the query returns the offending rows (`key`, `line`, the values named by `finding`)."""
    return Rule(
        rule, severity, description, "UnexpectedRowsExpectation", {"unexpected_rows_query": squash(query)}, finding
    )


def squash(sql: str) -> str:
    """SQL on one line (the stored files stay readable in a diff); no `--` comments in it."""
    return " ".join(line.strip() for line in sql.strip().splitlines() if line.strip())


@lru_cache(maxsize=1)
def region_provinces() -> list[str]:
    with open(REFERENCE_DIR / "provinces.csv", encoding="utf-8") as handle:
        return sorted(row["province_code"] for row in csv.DictReader(handle))


def province_in_region(column: str = "province_code", severity: str = CRITICAL) -> Rule:
    return in_set(column, region_provinces(), severity, rule=f"{column}_in_region")
