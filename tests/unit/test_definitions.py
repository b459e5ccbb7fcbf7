"""Source definitions are validated when loaded: each malformed definition gives one clear error that
names the file, the line and the fix; no name that reaches SQL can be unsafe."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from orchestration.ingest.definitions import (
    DefinitionError,
    load_definition,
    load_definitions,
    parse_definition,
)
from orchestration.settings import SOURCES_DIR

PATH = Path("sources/x/y.yml")

VALID = """\
# a small csv source
provider: x
name: y
description: Fichier de test
file_pattern: 'y_(?P<period>\\d{6})\\.csv'
format: csv
delimiter: ';'
header_first_column: Code
semantics: snapshot
expected_every_days: 35
key: [code]
columns:
  - {name: code, title: Code, type: text, required: true}
  - {name: amount_mad, title: Montant (DH), type: amount}
  - {name: province_code, title: Province, type: province}
  - {name: phone, title: Téléphone, type: text, personal: true}
"""


def error_of(text: str) -> str:
    with pytest.raises(DefinitionError) as info:
        parse_definition(text, PATH)
    message = str(info.value)
    assert "\n" not in message, "one error, on one line"
    return message


def line_of(text: str, fragment: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if fragment in line)


def test_the_valid_definition_parses():
    definition = parse_definition(VALID, PATH)
    assert definition.table == "x__y"
    assert definition.key == ("code",)
    assert [c.name for c in definition.columns] == ["code", "amount_mad", "province_code", "phone"]
    assert definition.column("phone").personal


def test_every_project_definition_loads():
    assert {d.table for d in load_definitions(SOURCES_DIR)} >= {
        "ministere__register",
        "ministere__mouazara",
        "wilaya__associations",
        "wilaya__indh_agr",
        "chambre__adherents",
        "chambre__formations",
    }


def test_unknown_type_names_the_line_the_type_and_the_choices():
    text = VALID.replace(
        "{name: amount_mad, title: Montant (DH), type: amount}", "{name: amount_mad, title: Montant (DH), type: money}"
    )
    message = error_of(text)
    assert message.startswith(f"{PATH}:{line_of(text, 'type: money')}: ")
    assert "unknown type 'money'" in message and "amount_mad" in message
    assert "did you mean 'amount'" in message
    assert "use one of text, int, amount" in message


def test_unknown_type_in_block_style_points_at_the_type_line():
    text = VALID.replace(
        "  - {name: amount_mad, title: Montant (DH), type: amount}\n",
        "  - name: amount_mad\n    title: Montant (DH)\n    type: integer\n",
    )
    message = error_of(text)
    assert message.startswith(f"{PATH}:{line_of(text, 'type: integer')}: ")
    assert "did you mean 'int'" in message


@pytest.mark.parametrize("key", ["provider", "name", "file_pattern", "format", "semantics", "key", "columns"])
def test_missing_required_key_says_what_to_add(key):
    text = "\n".join(line for line in VALID.splitlines() if not line.startswith(f"{key}:"))
    if key == "columns":
        text = "\n".join(line for line in text.splitlines() if not line.startswith("  - "))
    message = error_of(text + "\n")
    assert re.match(rf"^{re.escape(str(PATH))}:\d+: missing required key '{key}': add ", message)


def test_missing_key_message_gives_an_example():
    text = VALID.replace("key: [code]\n", "")
    assert "e.g. key: [" in error_of(text)


@pytest.mark.parametrize("bad", ["x; drop table", "Code", "1code", "code-2", "a" * 42])
def test_unsafe_column_name(bad):
    text = VALID.replace("{name: amount_mad,", f"{{name: '{bad}',")
    message = error_of(text)
    assert message.startswith(f"{PATH}:{line_of(text, 'Montant (DH)')}: ")
    assert f"column name {bad!r} is not a safe name" in message
    assert "lower-case letters, digits and _" in message


def test_column_name_ending_in_raw_is_refused():
    text = VALID.replace("{name: amount_mad,", "{name: amount_raw,")
    assert "not ending in _raw" in error_of(text)


def test_sql_reserved_word_is_refused_as_a_column_name():
    text = VALID.replace("{name: amount_mad,", "{name: order,")
    message = error_of(text)
    assert "reserved by SQL" in message and "order_value" in message


@pytest.mark.parametrize(
    "field,bad", [("name", "y'; drop table raw.x__y; --"), ("provider", 'wil"aya'), ("name", "Y"), ("provider", "x y")]
)
def test_unsafe_table_name(field, bad):
    text = VALID.replace(f"{field}: {'y' if field == 'name' else 'x'}\n", f"{field}: {bad!r}\n", 1)
    message = error_of(text)
    assert message.startswith(f"{PATH}:{line_of(text, field + ':')}: ")
    assert f"{field} {bad!r} is not a safe name" in message


def test_table_name_too_long_for_postgres():
    text = VALID.replace("provider: x\n", f"provider: {'p' * 30}\n").replace("name: y\n", f"name: {'n' * 30}\n")
    assert "longer than 57 characters" in error_of(text)


def test_duplicate_column_names_both_lines():
    text = VALID.replace("{name: province_code, title: Province,", "{name: amount_mad, title: Province,")
    message = error_of(text)
    first, second = line_of(text, "Montant (DH)"), line_of(text, "title: Province")
    assert message.startswith(f"{PATH}:{second}: ")
    assert f"duplicate column 'amount_mad' (first defined on line {first}); rename one" in message


def test_two_columns_reading_the_same_title():
    text = VALID.replace("{name: province_code, title: Province,", "{name: province_code, title: montant (dh),")
    message = error_of(text)
    assert message.startswith(f"{PATH}:{line_of(text, 'title: montant (dh)')}: ")
    assert "already read by the column" in message


def test_unknown_top_level_key_suggests_the_right_one():
    text = VALID.replace("expected_every_days: 35", "expected_every_day: 35")
    message = error_of(text)
    assert message.startswith(f"{PATH}:{line_of(text, 'expected_every_day:')}: ")
    assert "unknown key 'expected_every_day'" in message and "did you mean 'expected_every_days'" in message


def test_unknown_column_key():
    text = VALID.replace("type: text, required: true}", "type: text, requierd: true}")
    message = error_of(text)
    assert message.startswith(f"{PATH}:{line_of(text, 'requierd')}: ")
    assert "unknown column key 'requierd'" in message and "did you mean 'required'" in message


def test_key_column_not_among_the_columns():
    text = VALID.replace("key: [code]", "key: [code, commune]")
    message = error_of(text)
    assert message.startswith(f"{PATH}:{line_of(text, 'key: [')}: ")
    assert "key column 'commune' is not among the columns; add it or fix the key" in message


def test_a_yaml_key_written_twice_is_not_silently_dropped():
    text = VALID.replace("semantics: snapshot\n", "semantics: snapshot\nsemantics: cumulative\n")
    message = error_of(text)
    assert message.startswith(f"{PATH}:{line_of(text, 'semantics: cumulative')}: ")
    assert f"key 'semantics' is written twice (first on line {line_of(text, 'semantics: snapshot')})" in message


def test_flags_must_be_booleans():
    text = VALID.replace("personal: true", "personal: 'no'")
    assert "personal must be true or false" in error_of(text)


def test_delimiter_and_encodings_are_checked():
    assert "must be one character" in error_of(VALID.replace("delimiter: ';'", "delimiter: ';;'"))
    text = VALID.replace("delimiter: ';'", "delimiter: ';'\nencodings: [utf-8-sig, windows-9999]")
    assert "unknown encoding 'windows-9999'" in error_of(text)


def test_identifier_kind_column_clash():
    text = (
        VALID.replace(
            "{name: code, title: Code, type: text, required: true}",
            "{name: holder, title: Code, type: org_identifier, required: true}",
        )
        .replace("key: [code]", "key: [holder]")
        .replace("{name: phone,", "{name: holder_kind,")
    )
    assert "clashes with the identifier kind" in error_of(text)


def test_not_yaml():
    message = error_of("provider: x\nname: [y\n")
    assert message.startswith(f"{PATH}:3: not valid YAML")


def test_provider_must_match_its_folder(tmp_path):
    path = tmp_path / "other" / "y.yml"
    path.parent.mkdir()
    path.write_text(VALID, encoding="utf-8")
    with pytest.raises(DefinitionError, match="does not match its folder 'other'"):
        load_definition(path)


def test_libyaml_reads_every_shipped_definition_as_pyyaml_does():
    import yaml

    from orchestration.ingest.definitions import _parsed_yaml

    def marks(node):
        children = node.value if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) else []
        pairs = [item for child in children for item in (child if isinstance(child, tuple) else (child,))]
        own = (type(node).__name__, node.tag, node.start_mark.line, node.start_mark.column)
        return [own] + [m for child in pairs for m in marks(child)]

    for path in sorted(SOURCES_DIR.glob("*/*.yml")):
        text = path.read_text(encoding="utf-8")
        root, data = _parsed_yaml(text)
        assert data == yaml.safe_load(text), path
        assert marks(root) == marks(yaml.compose(text)), path
