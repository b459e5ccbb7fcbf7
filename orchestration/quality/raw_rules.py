"""The rules every raw suite is built from and the starter suite of a source without a hand-written
one (`tadamon source new`): at least one row, the key present and unique, provinces in the region,
no negative amount or count, and for a snapshot the volume rule (raw_suites.py writes the others)."""

from __future__ import annotations

from collections.abc import Iterable

from orchestration.ingest.definitions import SourceDefinition
from orchestration.quality.rows_in_force import batch_query, batch_table, new_loads_only
from orchestration.quality.rules import (
    CRITICAL,
    WARNING,
    Rule,
    Suite,
    compound_unique,
    not_negative,
    not_null,
    province_in_region,
    row_count_at_least,
    rows,
    unique,
)
from orchestration.warehouse.schemas import RAW

# volume rule: the latest snapshot must keep at least this share of the previous snapshot's rows
MIN_VOLUME_RATIO = 0.8


def loaded_rows_exist(table: str) -> Rule:
    """`not_empty` for a suite of new loads: its batch may be empty (nothing new), the table may not."""
    return rows(
        "not_empty",
        CRITICAL,
        "au moins 1 ligne chargée",
        f"""
        select '{RAW}.{table}' as key from (select 1) as one
        where not exists (select 1 from {{batch}})
          and not exists (select 1 from {RAW}.{table} r, audit.load_file f
                          where f.load_id = r._load_id and f.status = 'loaded')""",
    )


def volume_rule(table: str) -> Rule:
    """The latest snapshot keeps at least 80 % of the rows of the previous snapshot of the source."""
    return rows(
        "volume_not_dropping",
        CRITICAL,
        f"le dernier fichier garde au moins {MIN_VOLUME_RATIO:.0%} des lignes du fichier précédent",
        f"""
        with files as (
            select file_name, rows_loaded,
                   row_number() over (order by period desc, load_id desc) as file_rank
            from audit.load_file
            where source_name = '{table}' and status = 'loaded'),
        batch_rows as (select count(*) as rows_now from {{batch}})
        select latest.file_name as key, batch_rows.rows_now as rows_loaded,
               previous.file_name as previous_file, previous.rows_loaded as previous_rows
        from batch_rows, files latest, files previous
        where latest.file_rank = 1 and previous.file_rank = 2
          and batch_rows.rows_now < {MIN_VOLUME_RATIO} * previous.rows_loaded
        """,
        "{rows_loaded} lignes contre {previous_rows} dans {previous_file}",
    )


def ice_rule(severity: str = WARNING) -> Rule:
    return rows(
        "ice_valid",
        severity,
        "ICE : 15 chiffres dont les deux derniers sont la clé ISO 7064 mod 97-10",
        """
        select _line as line, {key} as key, ice from {batch}
        where ice is not null
          and case when ice ~ '^[0-9]{{15}}$' then ice::numeric % 97 <> 1 else 1 = 1 end
        """,
        "ICE {ice} invalide (15 chiffres, clé mod 97-10)",
    )


def keyed(rule: Rule, key_sql: str) -> Rule:
    query = rule.kwargs["unexpected_rows_query"].replace("{key}", key_sql)
    return Rule(rule.rule, rule.severity, rule.description, rule.type, {"unexpected_rows_query": query}, rule.finding)


def suite_name(table: str) -> str:
    return f"raw_{table}"


def raw_suite(definition: SourceDefinition, rules: Iterable[Rule]) -> Suite:
    """The suite of a raw table: its rows in force, judged by `rules`."""
    name = suite_name(definition.table)
    return Suite(
        name,
        (RAW, definition.table),
        definition.qualified_table,
        batch_query(definition, name),
        tuple(definition.key),
        tuple(rules),
        new_loads_only=new_loads_only(definition),
        batch_table=batch_table(name),
    )


def starter_suite(definition: SourceDefinition) -> Suite:
    """The suite of a source without a hand-written one: at least one row, the key present and
    unique, provinces in the region, no negative amount or count, and for a snapshot the volume rule."""
    t = definition.table
    rules = [loaded_rows_exist(t)] if new_loads_only(definition) else [row_count_at_least(), volume_rule(t)]
    rules += [not_null(k) for k in definition.key]
    rules.append(unique(definition.key[0]) if len(definition.key) == 1 else compound_unique(list(definition.key)))
    for column in definition.columns:
        if column.personal:
            continue
        if column.type == "province":
            rules.append(province_in_region(column.name))
        elif column.type in ("amount", "int"):
            rules.append(not_negative(column.name))
    return raw_suite(definition, rules)
