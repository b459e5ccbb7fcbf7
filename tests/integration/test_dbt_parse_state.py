"""dbt's parse state follows the warehouse the night builds: a parse for a new connection starts in a
process of its own while the files land, and the build takes it; a parse that does not end in time,
or that no build takes, is stopped and leaves nothing behind."""

from __future__ import annotations

import secrets

from orchestration import dbt_manifest
from orchestration.dbt_manifest import (
    MANIFEST_PATH,
    PARSED_FOR,
    adopt_early_parse,
    cancel_early_parses,
    prepare_manifest,
)

TARGET = MANIFEST_PATH.parent


def a_new_warehouse() -> str:
    # dbt parse never connects: a warehouse no server holds is enough
    return f"postgresql://someone:secret@127.0.0.1:1/parse_state_{secrets.token_hex(3)}"


def early_folders() -> list:
    return sorted(TARGET.glob(".early-parse-*"))


def test_a_parse_for_a_new_warehouse_runs_early_and_the_build_takes_it():
    url = a_new_warehouse()
    prepare_manifest()
    prepare_manifest(url)
    assert len(early_folders()) == 1
    assert adopt_early_parse(url) == "dbt's parse state for this warehouse, made while the files landed, is the build's"
    assert early_folders() == []
    stamp = (TARGET / PARSED_FOR).read_text()
    assert url.rsplit("/", 1)[-1] in stamp and "secret" not in stamp  # no password on disk
    prepare_manifest(url)  # the state is this warehouse's now: nothing more to parse
    assert early_folders() == [] and adopt_early_parse(url) is None


def test_a_parse_that_does_not_end_in_time_is_stopped_and_the_build_parses_itself():
    url = a_new_warehouse()
    before = (TARGET / PARSED_FOR).read_text() if (TARGET / PARSED_FOR).exists() else None
    prepare_manifest(url)
    process, folder = dbt_manifest._early_parses[dbt_manifest._connection_of(url)]
    note = adopt_early_parse(url, deadline_s=0.01)
    assert note == "the parse started early did not end within 0 s; the build parses the project itself"
    assert process.poll() is not None and not folder.exists()
    assert ((TARGET / PARSED_FOR).read_text() if (TARGET / PARSED_FOR).exists() else None) == before


def test_a_parse_no_build_takes_is_stopped():
    url = a_new_warehouse()
    prepare_manifest(url)
    process, folder = dbt_manifest._early_parses[dbt_manifest._connection_of(url)]
    cancel_early_parses()
    assert process.poll() is not None and not folder.exists() and dbt_manifest._early_parses == {}
