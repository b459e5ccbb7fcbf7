"""Months of deliveries of one generated world, replayed night after night through the whole load
(`tadamon generate --delivery 3`: struck-off, renamed and returning cooperatives, status and
members changes, a Mouazara project dropped and amounts cut, a skipped month, a corrected re-send
and a late file refused). After every night: the run publishes, the counts in the register and the
money committed, now and as known on every month end, are the generator's truth exactly, no
identifier of an organisation or project changed, every delivered line is accounted for, and a
funding flow the deliveries repeat keeps its row (date and lineage) as it was. The
nights after the first extend the incremental staging models; after the last one a full rebuild
(`--rebuild`) gives the very same staging tables and marts."""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal

import dagster as dg
import pytest
import sqlalchemy as sa

from orchestration.bench.generate.nights import generate_history
from orchestration.defs.transform.full_refresh import full_refresh_reason
from orchestration.pipeline import run_load
from orchestration.report.queries import Scope, run_figure
from orchestration.settings import PROJECT_ROOT
from orchestration.warehouse import engine
from tests.integration.test_bi import assert_the_aggregates_answer_as_the_facts

pytestmark = pytest.mark.slow

BI_QUERIES = PROJECT_ROOT / "docs" / "bi"

RAW_TABLES = {
    "register": "ministere__register",
    "mouazara": "ministere__mouazara",
    "associations": "wilaya__associations",
    "indh_agr": "wilaya__indh_agr",
    "adherents": "chambre__adherents",
    "formations": "chambre__formations",
}
VALID_ON = "valid_from <= :d and (valid_to is null or valid_to > :d)"
KNOWN_ON = "known_from <= :d and (known_to is null or known_to > :d)"


def _deliver(folder, settings) -> None:
    for provider_folder in sorted(p for p in folder.iterdir() if p.is_dir()):
        target = settings.incoming_dir / provider_folder.name
        target.mkdir(parents=True, exist_ok=True)
        for path in sorted(provider_folder.iterdir()):
            shutil.copyfile(path, target / path.name)


def _scalar(conn, sql: str, **params):
    return conn.execute(sa.text(sql), params).scalar()


def _committed_on(conn, source_system: str, institution: str, day: dt.date) -> Decimal:
    return _scalar(
        conn,
        f"""
        select coalesce(sum(h.amount_mad), 0) from marts.fct_funding_history h
        where h.source_system = :s and h.flow_type = 'commitment' and {KNOWN_ON}
          and h.institution_key = (select institution_key from marts.dim_institution where institution_code = :i)""",
        s=source_system,
        i=institution,
        d=day,
    )


def _check_point_in_time(conn, expected: dict) -> None:
    for day_text, on in expected["on"].items():
        day = dt.date.fromisoformat(day_text)
        where = f"{VALID_ON} and in_register"
        if "cooperatives_in_register" in on:
            assert (
                _scalar(
                    conn,
                    f"select count(*) from marts.dim_organisation where organisation_type = 'cooperative' and {where}",
                    d=day,
                )
                == on["cooperatives_in_register"]
            ), day
            active = dict(
                conn.execute(
                    sa.text(
                        f"""select province_code, count(*) from marts.dim_organisation
                    where organisation_type = 'cooperative' and status = 'active' and {VALID_ON}
                    group by 1 order by 1"""
                    ),
                    {"d": day},
                ).all()
            )
            assert active == on["active_cooperatives_by_province"], day
        if "associations_in_register" in on:
            assert (
                _scalar(
                    conn,
                    f"select count(*) from marts.dim_organisation where organisation_type = 'association' and {where}",
                    d=day,
                )
                == on["associations_in_register"]
            ), day
        if "mouazara_committed_mad" in on:
            assert _committed_on(conn, "ministere_mouazara", "MTAESS", day) == Decimal(on["mouazara_committed_mad"]), (
                day
            )
        if "indh_committed_mad" in on:
            assert _committed_on(conn, "wilaya_indh", "WILAYA_INDH", day) == Decimal(on["indh_committed_mad"]), day


def _check_register_events(conn, expected: dict) -> None:
    register_date = dt.date.fromisoformat(expected["register_date"])
    struck_now = (
        conn.exec_driver_sql(
            "select register_number from marts.dim_organisation where is_current and status = 'struck_off' "
            "and register_number is not null order by 1"
        )
        .scalars()
        .all()
    )
    assert struck_now == expected["struck_off_now"]

    def versions_opened(reason_sql: str) -> list[str]:
        return (
            conn.execute(
                sa.text(
                    f"""select register_number from marts.dim_organisation
                where register_number is not null and valid_from = :d and {reason_sql} order by 1"""
                ),
                {"d": register_date},
            )
            .scalars()
            .all()
        )

    events = expected["register_events"]
    assert versions_opened("version_reason = 'struck_off'") == events["struck_off"]
    assert versions_opened("version_reason = 'returned'") == events["returned"]
    renamed = set(versions_opened("version_reason = 'changed' and changed_columns ~ 'name_'"))
    assert renamed == set(events["renamed"])
    status = set(versions_opened("version_reason = 'changed' and changed_columns ~ 'status'"))
    assert status == set(events["status_changed"])
    members = set(versions_opened("version_reason = 'changed' and changed_columns ~ 'members_total'"))
    assert set(events["members_changed"]) <= members


def _check_files(conn, delivered: list[dict], settings) -> None:
    """Every file delivered so far has its status, and every one of its lines is loaded, set aside
    or a duplicate (audit.load_file, audit.rejected_row, the raw table)."""
    statuses = {}
    for f in delivered:
        name = f["path"].split("/", 1)[1]
        row = conn.execute(
            sa.text(
                """select load_id, status, error, rows_read, rows_loaded, rows_rejected, rows_duplicate
               from audit.load_file where file_name = :f order by load_id desc limit 1"""
            ),
            {"f": name},
        ).one()
        statuses[f["path"]] = row.status
        if f["status"] == "rejected":
            assert row.status == "rejected" and "antérieur à celui en vigueur" in row.error, (name, row.error)
            assert (settings.quarantine_dir / f["path"].split("/")[0]).is_dir()
            continue
        assert row.status in ("loaded", "superseded"), (name, row.status, row.error)
        assert (row.rows_read, row.rows_rejected, row.rows_duplicate) == (
            f["data_rows"],
            f["rejected"],
            f["duplicates"],
        )
        assert row.rows_read == row.rows_loaded + row.rows_rejected + row.rows_duplicate, name
        set_aside = _scalar(conn, "select count(*) from audit.rejected_row where load_id = :l", l=row.load_id)
        assert set_aside == row.rows_rejected + row.rows_duplicate, name
        raw_rows = _scalar(
            conn, f"select count(*) from raw.{RAW_TABLES[f['source']]} where _load_id = :l", l=row.load_id
        )
        assert raw_rows == row.rows_loaded, name
    for f in delivered:
        if f["supersedes"]:
            assert statuses[f["supersedes"]] == "superseded", f
            assert statuses[f["path"]] == "loaded", f


def _identifiers(conn) -> dict[str, str]:
    ids = dict(
        conn.exec_driver_sql(
            "select distinct 'register:' || register_number, organisation_id from marts.dim_organisation "
            "where register_number is not null"
        ).all()
    )
    ids.update(
        conn.exec_driver_sql(
            "select distinct 'receipt:' || association_receipt || '@' || association_receipt_province, organisation_id "
            "from marts.dim_organisation where association_receipt is not null"
        ).all()
    )
    ids.update(
        conn.exec_driver_sql(
            "select 'project:' || source_system || ':' || project_ref, project_key from marts.dim_project"
        ).all()
    )
    return ids


def _table_contents(conn) -> dict[str, str]:
    """Row count and a digest of the sorted rows of every published mart and staging table."""
    tables = conn.exec_driver_sql(
        "select table_schema || '.' || table_name from information_schema.tables "
        "where table_schema in ('marts', 'staging') and table_type = 'BASE TABLE' order by 1"
    ).scalars()
    return {
        table: conn.exec_driver_sql(
            f"select count(*) || ' ' || md5(coalesce(string_agg(t::text, E'\\n' order by t::text), '')) from {table} t"
        ).scalar()
        for table in list(tables)
    }


def _funding_rows(conn) -> dict[str, tuple]:
    return {
        row[0]: tuple(row[1:])
        for row in conn.exec_driver_sql(
            "select funding_key, source_system, flow_type, amount_mad, date_key, source_file_name, source_line "
            "from marts.fct_funding"
        ).all()
    }


def _check_repeated_flows_unmoved(before: dict[str, tuple], now: dict[str, tuple]) -> int:
    """A flow the new deliveries repeat (same amount and date) keeps its row: its lineage names the
    first file that showed it, so the night does not rewrite it; an INDH payment, which the wilaya
    does not date, keeps the date of its first delivery while its amount stays. Returns how many."""
    kept = 0
    for key, (system, flow_type, amount, date_key, _file_name, _line) in now.items():
        if key not in before or before[key][2] != amount:
            continue
        if (system, flow_type) == ("wilaya_indh", "disbursement"):
            assert before[key][3] == date_key, (key, before[key], now[key])
        if before[key][3] == date_key:
            assert before[key] == now[key], (key, before[key], now[key])
            kept += 1
    return kept


def test_months_of_history_replay(warehouse, tmp_path):
    truth = generate_history(tmp_path / "gen", 300, seed=42, months=3)
    url = warehouse.warehouse_url
    delivered: list[dict] = []
    identifiers: dict[str, str] = {}
    cases = set()
    funding: dict[str, tuple] = {}
    repeated_flows_kept = 0
    for night in truth["nights"]:
        _deliver(tmp_path / "gen" / night["folder"], warehouse)
        if delivered:  # after the first night, each one extends the incremental models
            assert full_refresh_reason(url, asked=False) is None
        with dg.DagsterInstance.ephemeral() as instance:
            summary = run_load(warehouse, instance)
        assert summary.success, (night["folder"], summary.failure)
        delivered += night["files"]
        expected = night["expected"]
        with engine(url).connect() as conn:
            _check_files(conn, delivered, warehouse)
            _check_point_in_time(conn, expected)
            _check_register_events(conn, expected)
            dropped = (
                conn.exec_driver_sql(
                    "select project_ref from marts.dim_project where source_system = 'ministere_mouazara' "
                    "and not is_current order by 1"
                )
                .scalars()
                .all()
            )
            assert dropped == expected["mouazara_dropped_now"]
            now = _identifiers(conn)
            assert {k: v for k, v in now.items() if k in identifiers} == {
                k: v for k, v in identifiers.items() if k in now
            }, "an identifier changed"
            assert set(identifiers) <= set(now), "an organisation or project disappeared"
            identifiers.update(now)
            funding_now = _funding_rows(conn)
            repeated_flows_kept += _check_repeated_flows_unmoved(funding, funding_now)
            funding = funding_now
        cases |= {name for name, numbers in expected["register_events"].items() if numbers}
        cases |= {f["variant"] for f in night["files"]} | ({"dropped"} if dropped else set())
    # after months of deliveries, the BI question and the bilan give one answer (fct_outcome holds
    # each project's latest delivery only, so the question's plain sum is the bilan's latest value)
    with engine(url).connect() as conn:
        by_axis = conn.exec_driver_sql((BI_QUERIES / "02_women_beneficiaries_by_axis.sql").read_text()).all()
        _, measures = run_figure(conn, "women_and_disability", Scope())
        # the dashboards' aggregates, rebuilt night after night, still sum the facts, and say what the
        # bilan says
        assert assert_the_aggregates_answer_as_the_facts(conn) > 10
        dashboard = conn.exec_driver_sql(
            "select sum(value) from marts.agg_outcomes_by_axis where indicator_code = 'BENEFICIARIES_WOMEN'"
        ).scalar()
    bilan = next(m["value"] for m in measures if m["measure_code"] == "BENEFICIARIES_WOMEN")
    assert sum(row.women_beneficiaries for row in by_axis) == bilan > 0
    assert dashboard == bilan
    # the replay went through every case of docs/history.md
    assert cases >= {
        "struck_off",
        "returned",
        "renamed",
        "status_changed",
        "members_changed",
        "mistaken",
        "corrected",
        "late",
        "dropped",
    }
    assert any(f["status"] == "rejected" for f in delivered)
    assert repeated_flows_kept > 100, repeated_flows_kept
    # the nights after the first extended the incremental models; a full rebuild gives the same tables
    with engine(url).connect() as conn:
        incremental = _table_contents(conn)
    with dg.DagsterInstance.ephemeral() as instance:
        assert run_load(warehouse, instance, rebuild=True).success
    with engine(url).connect() as conn:
        assert _table_contents(conn) == incremental
    assert {"staging.stg_ministere__cooperative_snapshots", "marts.dim_organisation"} <= set(incremental)
