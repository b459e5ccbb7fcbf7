"""The fast CSV path parses a cell exactly as the Python parsers do: same value, same kind, same error
message, same raw text, whatever the writing (property-based, against parsers/)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orchestration.ingest.columnar.csv_reader import parse_column
from orchestration.ingest.definitions import Column
from orchestration.ingest.parsers import PARSERS
from orchestration.ingest.parsers.cells import ParseError
from orchestration.ingest.parsers.identifiers import REGISTER_CITY_CODES
from orchestration.ingest.rows import raw_text

TYPES = [
    "text",
    "int",
    "date",
    "amount",
    "ice",
    "receipt_number",
    "register_number",
    "org_identifier",
    "province",
    "bool",
]

# Characters the providers' cells are made of, and those that trip parsers up.
ALPHABET = "0123456789٠١٢٣٤٥٦٧٨٩/-.,; DHdhsMAFESKNTZRCfe?\u00a0\u202f\u2009\u066b\u066c\u200f\u200e\t\x1cفاسمكنةىأـ"
noise = st.text(alphabet=ALPHABET, max_size=14)
digits = st.from_regex(r"[0-9]{1,7}", fullmatch=True)
year = st.integers(1890, 2110).map(str)
space = st.sampled_from(["", " ", "  ", "\u00a0", "\u202f", "\u200f", "\t"])


@st.composite
def shaped(draw):
    """Writings close to the contract's, then a little damage now and then."""
    shape = draw(
        st.sampled_from(
            [
                "{d}",
                "{d},{f}",
                "{d}.{f}",
                "{g} {t},{f} DH",
                "{g}\u00a0{t}\u00a0{t},{f}",
                "{g}\u202f{t} MAD",
                "{dd}/{mm}/{y}",
                "{y}-{mm}-{dd}",
                "{y}/{d}",
                "{d}/{y}",
                "{c}/{y}/{d}",
                "{c}-{y}-{d}",
                "RC {c} {d}",
                "{d}/{y}/{c}",
                "{c} {y} {d}",
                "{d}-{y}-{c}",
                "{d}/{y} {c}",
                "{c}_{y}.{d}",
                "{c}\\{y}\\{d}",
                "{c}\x1c{y}\x1c{d}",
                "{c} - {y} / {d}",
                "-{d}",
                "{y}/{y}",
                "0000-01-01",
                "{dd}/{mm}/0000",
                "{d}{d}{d}",
            ]
        )
    )
    text = shape.format(
        d=draw(digits),
        f=draw(st.from_regex(r"[0-9]{1,3}", fullmatch=True)),
        g=draw(st.from_regex(r"[0-9]{1,4}", fullmatch=True)),
        t=draw(st.from_regex(r"[0-9]{3}", fullmatch=True)),
        dd=draw(st.integers(0, 32)),
        mm=draw(st.integers(0, 13)),
        y=draw(year),
        c=draw(st.sampled_from(sorted(REGISTER_CITY_CODES) + ["fes", "Mkn", "ſef", "XYZ"])),
    )
    return draw(space) + text + draw(space)


cells = st.one_of(shaped(), noise, st.none())


def reference(column: Column, cell):
    """What the row-by-row loader keeps for a cell: parsers/."""
    label = column.title or column.name
    raw = raw_text(cell) if column.keeps_raw_text else None
    try:
        parsed = PARSERS[column.type](cell)
    except ParseError as exc:
        return None, None, f"{label} : {exc}", raw
    kind = None
    if column.type == "org_identifier" and parsed is not None:
        kind, parsed = parsed
    return (None if parsed is None else str(parsed)), kind, None, raw


def same_value(column_type: str, fast, expected) -> bool:
    if column_type == "amount" and fast is not None and expected is not None:
        return Decimal(fast) == Decimal(expected)  # "12.5" and "12.50" are one numeric(18,2)
    return fast == expected


@pytest.mark.parametrize("column_type", TYPES)
@settings(max_examples=60, deadline=None)
@given(values=st.lists(cells, min_size=1, max_size=40))
def test_fast_path_parses_every_cell_as_the_python_parsers(column_type, values):
    column = Column(name="cell", type=column_type, title="Cellule")
    for cell, (value, kind, error, raw) in zip(values, parse_column(column, values)):
        want_value, want_kind, want_error, want_raw = reference(column, cell)
        assert same_value(column_type, value, want_value), (cell, value, want_value)
        assert (kind, error, raw) == (want_kind, want_error, want_raw), cell


def test_common_writings_are_read_without_python_and_the_rest_with_it():
    amounts = parse_column(
        Column(name="a", type="amount", title="Montant"), ["1 250 000,00 DH", "33959,4", "-15000", "١٢٣٫٤٠", "  ", None]
    )
    assert [a[0] for a in amounts] == ["1250000.00", "33959.4", None, "123.40", None, None]
    assert amounts[2][2] == "Montant : montant négatif : '-15000'"
    assert amounts[4][3] is None  # only spaces: no raw text, as in the row-by-row loader
    receipts = parse_column(
        Column(name="r", type="receipt_number", title="Récépissé"), ["2019/0123", "123/2019", "٢٠١٩/٧", "2019"]
    )
    assert [r[0] for r in receipts] == ["2019/123", "2019/123", "2019/7", None]
    assert receipts[3][2] == "Récépissé : numéro de récépissé illisible : '2019'"
    identifiers = parse_column(
        Column(name="i", type="org_identifier", title="Id"),
        ["FES/2015/0123", "382/2003", "rc fès 12", "fes 2015 12", "12/2015 MKN", "12-2015-MKN"],
    )
    assert [(i[0], i[1]) for i in identifiers] == [
        ("FES/2015/0123", "register"),
        ("2003/382", "receipt"),
        ("RC FES 12", "rc"),
        ("FES/2015/0012", "register"),
        ("MKN/2015/0012", "register"),
        ("MKN/2015/0012", "register"),
    ]


def test_block_reader_keeps_at_most_a_few_blocks_in_memory_and_hands_over_errors():
    import time

    from orchestration.ingest.columnar.threads import BlockReader

    produced = []

    def blocks():
        for n in range(50):
            produced.append(n)
            yield f"block {n};".encode()

    reader = BlockReader(blocks(), ahead=2)
    assert reader.read(3) == b"blo"
    deadline = time.monotonic() + 10
    while len(produced) < 4 and time.monotonic() < deadline:  # poll: the producer fills the queue
        time.sleep(0.01)
    # the block being read, two in the queue, one waiting to be put: the producer can go no further
    # until the COPY side takes a block
    assert len(produced) == 4 and reader.blocks.queue.full()
    rest = b"blo" + b"".join(iter(lambda: reader.read(7), b""))
    assert rest == b"".join(f"block {n};".encode() for n in range(50))
    reader.close()

    def failing():
        yield b"a;b\n"
        raise RuntimeError("bad block")

    reader = BlockReader(failing())
    assert reader.read(-1) == b"a;b\n"
    with pytest.raises(RuntimeError, match="bad block"):
        reader.read(-1)
    assert isinstance(reader.error, RuntimeError)
    assert reader.read(-1) == b""  # after the error, the end: COPY is not fed a second time
    reader.close()


def test_ahead_closes_the_generator_it_runs_when_stopped():
    from orchestration.ingest.columnar.threads import Ahead

    closed = []

    def items():
        try:
            yield from range(100)
        finally:
            closed.append(True)

    ahead = Ahead(items(), 1, "test-ahead")
    assert next(ahead) == 0
    ahead.close()  # the consumer gives up early: the producer stops and the generator's clean-up runs
    assert closed == [True] and not ahead.thread.is_alive()
