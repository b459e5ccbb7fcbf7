"""Cell parsers for the provider files (ministry, wilaya, chamber), and the parser of each column type
of a source definition (`PARSERS`).

Every parser takes one raw cell value as a reader hands it over and returns the parsed value, or
``None`` for an empty cell; a value that cannot be read raises `cells.ParseError`, a short reason in
French quoting the value (`cells.py`). `values.py` reads text, amounts, counts, dates and yes/no;
`identifiers.py` the ICE and the register, receipt and trade register numbers; `provinces.py` the
prefectures and provinces of the region. The writings accepted are those of the provider contract
(``/work/shared/feeds/README.md``). The functions are pure and use the standard library only, plus
``stdnum`` for the ICE check.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from orchestration.ingest.parsers.identifiers import (
    parse_ice,
    parse_org_identifier,
    parse_receipt_number,
    parse_register_number,
)
from orchestration.ingest.parsers.provinces import parse_province
from orchestration.ingest.parsers.values import parse_amount, parse_bool, parse_date, parse_int, parse_text

PARSERS: dict[str, Callable[[Any], Any]] = {
    "text": parse_text,
    "int": parse_int,
    "amount": parse_amount,
    "date": parse_date,
    "bool": parse_bool,
    "ice": parse_ice,
    "register_number": parse_register_number,
    "receipt_number": parse_receipt_number,
    "org_identifier": parse_org_identifier,
    "province": parse_province,
    "json": lambda value: None if value is None else json.dumps(value, ensure_ascii=False),
}
