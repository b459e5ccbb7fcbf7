"""The fast path of workbooks and JSON exports accounts for every row as the row-by-row loader does: the
same loaded values, the same rows set aside with the same reasons and raw cells (property-based,
against rows.classify_rows)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from decimal import Decimal
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orchestration.ingest.columnar import cells
from orchestration.ingest.columnar.cell_objects import object_values
from orchestration.ingest.columnar.cells import CellsPlan, ColumnarCells, NotServed
from orchestration.ingest.columnar.expressions import python_values
from orchestration.ingest.definitions import Column, SourceDefinition
from orchestration.ingest.rows import classify_rows, json_safe, table_columns
from tests.unit.test_columnar import shaped

COLUMNS = (
    Column(name="ref", type="text", title="Réf."),
    Column(name="holder", type="org_identifier", title="Porteur"),
    Column(name="province", type="province", title="Province"),
    Column(name="cost", type="amount", title="Coût"),
    Column(name="members", type="int", title="Membres"),
    Column(name="signed_on", type="date", title="Date"),
    Column(name="ice", type="ice", title="ICE"),
    Column(name="active", type="bool", title="Actif"),
    Column(name="details", type="json", title="Détails"),
)


def definition(key: tuple[str, ...]) -> SourceDefinition:
    return SourceDefinition(
        provider="check",
        name="cells",
        description="",
        file_pattern=re.compile("x"),
        format="json",
        semantics="snapshot",
        key=key,
        columns=COLUMNS,
        records="rows",
    )


# What python-calamine and orjson give: text, floats (every number of a workbook), ints, booleans,
# dates and datetimes, nested arrays and objects; a few values repeat so that duplicates and key
# conflicts happen.
numbers = st.one_of(
    st.floats(min_value=-1e7, max_value=1e12, allow_nan=False),
    st.integers(-10, 10**13),
    st.sampled_from([0.0, -0.0, 1.0, 12.5, 1250000.0, 1, 0, True, False]),
)
dates = st.one_of(
    st.dates(dt.date(1890, 1, 1), dt.date(2110, 1, 1)), st.datetimes(dt.datetime(1990, 1, 1), dt.datetime(2030, 1, 1))
)
nested = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.text(max_size=3)),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.sampled_from("abc"), inner, max_size=3)),
    max_leaves=6,
)
cell = st.one_of(
    shaped(),
    st.sampled_from(["", " ", "FES/2015/0123", "Fès", "فاس", "2019/12", "x"]),
    st.none(),
    numbers,
    dates,
    nested,
)
# a reader gives the cells in the definition's order; a JSON column holds what JSON can
row = st.fixed_dictionaries({c.name: nested if c.type == "json" else cell for c in COLUMNS}).map(
    lambda r: {c.name: r[c.name] for c in COLUMNS}
)


def fast_rows(definition: SourceDefinition, rows: list[dict], block_rows: int = cells.BLOCK_ROWS):
    lines = [f"$.rows[{i}]" for i in range(len(rows))]
    plan = CellsPlan("utf-8", [], lines, {c.name: [r[c.name] for r in rows] for c in definition.columns})
    reader = ColumnarCells(Path("x.json"), definition, plan)
    with mock.patch.object(cells, "BLOCK_ROWS", block_rows):  # blocks of a few rows: state across blocks
        copied = b"".join(reader.copy_blocks()).decode()
    return reader.result, list(csv.reader(io.StringIO(copied)))


def same(column: Column, fast: str, expected, name: str = "") -> bool:
    if expected is None:
        return fast == ""
    if name.endswith("_raw"):  # the text as delivered: exactly
        return fast == expected
    if column.type == "amount":
        return Decimal(fast) == expected
    if column.type == "json":
        return json.loads(fast) == json.loads(expected)
    return fast == str(expected)


@settings(max_examples=120, deadline=None)
@given(
    rows=st.lists(row, max_size=12).flatmap(
        lambda rows: (
            st.lists(st.sampled_from(rows), max_size=4).map(lambda copies: rows + copies) if rows else st.just(rows)
        )
    ),
    key=st.sampled_from([("ref",), ("holder",), ("signed_on", "province")]),
    block_rows=st.sampled_from([2, 3, cells.BLOCK_ROWS]),
)
def test_fast_path_accounts_for_every_row_as_the_row_loader(rows, key, block_rows):
    source = definition(key)
    result, copied = fast_rows(source, rows, block_rows)
    expected = list(classify_rows(source, ((f"$.rows[{i}]", r, {}) for i, r in enumerate(rows))))
    columns = table_columns(source)
    loaded = [(line, parsed) for line, kind, parsed, _, _, _ in expected if kind == "loaded"]
    assert len(copied) == len(loaded)
    for (line, parsed), out in zip(loaded, copied):
        assert out[0] == line and out[1] == ""
        for (name, _, column), fast, want in zip(columns, out[2:], parsed):
            assert same(column, fast, want, name), (line, name, fast, want)
    aside = [(line, kind, reason) for line, kind, _, reason, _, _ in expected if kind != "loaded"]
    assert result.set_aside == aside
    assert result.raw_rows == [
        json.dumps(json_safe(values), ensure_ascii=False, default=str)
        for _, kind, _, _, values, _ in expected
        if kind != "loaded"
    ]
    assert (result.rows_read, result.rows_loaded) == (len(rows), len(loaded))
    assert (result.rows_rejected, result.rows_duplicate) == (
        sum(k == "rejected" for _, k, _ in aside),
        sum(k == "duplicate" for _, k, _ in aside),
    )


def test_numbers_dates_and_nested_values_are_read_as_the_row_loader_reads_them():
    rows = [
        {
            "ref": "A",
            "holder": "FES/2015/0123",
            "province": "Fès",
            "cost": 1250.5,
            "members": 8.0,
            "signed_on": dt.date(2021, 11, 6),
            "ice": 1689701119297.0,
            "active": True,
            "details": [{"a": 1}],
        },
        {
            "ref": "B",
            "holder": None,
            "province": "Fès",
            "cost": -3.0,
            "members": 2.5,
            "signed_on": 44000.0,
            "ice": None,
            "active": 1,
            "details": None,
        },
        {
            "ref": "A",
            "holder": None,
            "province": "Fès",
            "cost": 0.0,
            "members": 1,
            "signed_on": None,
            "ice": None,
            "active": None,
            "details": None,
        },
        {
            "ref": "C",
            "holder": None,
            "province": "Fès",
            "cost": -0.0,
            "members": 1,
            "signed_on": None,
            "ice": None,
            "active": None,
            "details": None,
        },
    ]
    result, copied = fast_rows(definition(("ref",)), rows)
    assert [c[0] for c in copied] == ["$.rows[0]", "$.rows[3]"]
    first = dict(zip([n for n, _, _ in table_columns(definition(("ref",)))], copied[0][2:]))
    assert (first["cost"], first["members"], first["signed_on"], first["ice"]) == (
        "1250.50",
        "8",
        "2021-11-06",
        "001689701119297",
    )
    assert json.loads(first["details"]) == [{"a": 1}]
    assert result.set_aside == [
        ("$.rows[1]", "rejected", "Coût : montant négatif : '-3'; Membres : nombre non entier : '2.5'"),
        ("$.rows[2]", "rejected", "même clé (A) que la $.rows[0], avec d'autres valeurs"),
    ]


# Numbers and dates as a workbook or an export gives them, around the bounds of the direct writings
objects = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-1.0, max_value=2e11),
    st.floats(min_value=9e14, max_value=1.1e15),
    st.integers(-(10**16), 10**16),
    st.sampled_from([0.0, -0.0, 0.005, 0.004999, 2.675, 1e11, 1e15, 10**15, 1, 0, True, False]),
    st.dates(),
    st.datetimes(),
)


@settings(max_examples=300, deadline=None)
@given(values=st.lists(objects, max_size=20, unique_by=repr), kind=st.sampled_from(["amount", "int", "ice", "date"]))
def test_numbers_and_dates_written_directly_are_what_the_parser_gives(values, kind):
    column = Column(name="x", type=kind, title="X")
    fast = object_values(column, values)
    reference = python_values(column, values)
    for value, got, want in zip(values, zip(*fast), zip(*reference)):
        if kind == "amount" and got[0] is not None and want[0] is not None:
            assert Decimal(got[0]) == Decimal(want[0]), value
            got, want = got[1:], want[1:]
        assert got == want, value


def test_a_file_read_by_its_reader_that_the_path_does_not_serve_raises_not_served():
    class Refused:
        why = None

        def read(self):
            self.why = "fields the definition does not know"

    reader = ColumnarCells(Path("x.json"), definition(("ref",)), Refused())
    with pytest.raises(NotServed) as raised:
        list(reader.copy_blocks())
    assert raised.value.why == "fields the definition does not know"
