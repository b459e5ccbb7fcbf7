"""Expected file names shown to people as examples derived from the definitions' patterns."""

from __future__ import annotations

import re

import pytest

from orchestration.ingest.definitions import load_definitions
from orchestration.ingest.file_names import example_file_name, unrecognised_file_name, writes_arabic


@pytest.mark.parametrize(
    "pattern,example",
    [
        (r"MOUAZARA_FM_(?P<period>\d{8})\.xlsx", "MOUAZARA_FM_AAAAMMJJ.xlsx"),
        (r"wilaya_jamiyat_(?P<period>\d{6})\.csv", "wilaya_jamiyat_AAAAMM.csv"),
        (r"bilan_(?P<period>\d{4})\.json", "bilan_AAAA.json"),
        (r"anapec_insertions_(?P<period>\d{6,8})\.csv", "anapec_insertions_AAAAMM[JJ].csv"),  # as scaffolded
        (r"anapec_(?P<period>\d{6})(?: \(\d+\))?\.csv", "anapec_AAAAMM.csv"),
        (r"cri_[a-z]+_(?P<period>\d{4})\.(csv|txt)", "cri_…_AAAA.csv"),
        (r"rapport_\d{2}_v\d+\.xlsx", "rapport_NN_vN.xlsx"),
        (r"^export.*\.json$", "export….json"),
    ],
)
def test_a_pattern_reads_as_an_example(pattern, example):
    assert example_file_name(re.compile(pattern, re.IGNORECASE)) == example


def test_every_project_definition_has_a_readable_example():
    for definition in load_definitions():
        example = definition.file_name_example
        assert not re.search(r"[\\()?<>{}\[\]^$*+|]", example), (definition.table, example)
        assert example.rsplit(".", 1)[-1] == definition.format, (definition.table, example)


def test_the_wilaya_writes_in_arabic_the_others_in_french():
    definitions = load_definitions()
    by_provider = {p: [d for d in definitions if d.provider == p] for p in ("ministere", "wilaya", "chambre")}
    assert {p: writes_arabic(ds) for p, ds in by_provider.items()} == {
        "ministere": False,
        "wilaya": True,
        "chambre": False,
    }
    assert unrecognised_file_name("ministere", by_provider["ministere"]) == (
        "nom de fichier non reconnu pour ministere : attendu MOUAZARA_FM_AAAAMMJJ.xlsx ou "
        "REG_COOP_FM_AAAAMMJJ.xlsx (AAAA : année, MM : mois, JJ : jour)"
    )
    assert "aucun fichier n'est encore défini" in unrecognised_file_name("anapec", [])
