"""What the report shows: its figures in order, each with the query that defines it, the label
its rows are named by and the columns charted and tabled."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FigureSpec:
    name: str  # queries/<name>.sql (annex: queries/annex/<name>.sql)
    section: int
    label: str | None  # rows are named by the `<label>_fr` / `<label>_ar` columns
    code: str | None  # the code column shown beside the label
    bars: tuple[str, ...]  # columns drawn in the chart (same unit)
    columns: tuple[str, ...]  # columns of the table, after the label
    annex: bool = False  # read from the load audit instead of the marts


FIGURES = (
    FigureSpec(
        "key_figures",
        1,
        None,
        None,
        (),
        ("organisations", "organisations_supported", "projects", "committed_mad", "disbursed_mad", "disbursement_rate"),
    ),
    FigureSpec(
        "organisations_by_type",
        1,
        "type",
        "organisation_type",
        ("organisations", "organisations_supported"),
        ("organisations", "organisations_supported"),
    ),
    FigureSpec(
        "organisations_by_province",
        1,
        "province",
        "province_code",
        ("organisations", "organisations_supported"),
        ("cooperatives", "associations", "gies", "organisations", "organisations_supported"),
    ),
    FigureSpec(
        "funding_by_programme",
        1,
        "programme",
        "programme_code",
        ("committed_mad", "disbursed_mad"),
        ("projects", "committed_mad", "disbursed_mad", "disbursement_rate"),
    ),
    FigureSpec(
        "funding_by_funder",
        1,
        "funder",
        "institution_code",
        ("committed_mad", "disbursed_mad"),
        ("projects", "committed_mad", "disbursed_mad", "disbursement_rate"),
    ),
    FigureSpec(
        "funding_by_pdr_period",
        2,
        "period",
        "period_code",
        ("committed_mad", "disbursed_mad"),
        ("projects", "committed_mad", "disbursed_mad", "council_committed_mad"),
    ),
    FigureSpec(
        "funding_by_axis",
        2,
        "axis",
        "axis_code",
        ("committed_mad", "disbursed_mad"),
        ("projects", "committed_mad", "disbursed_mad"),
    ),
    FigureSpec(
        "council_cofinancing_by_year",
        2,
        None,
        "year",
        ("council_committed_mad",),
        ("projects", "council_committed_mad"),
    ),
    FigureSpec("women_and_disability", 3, "measure", None, ("value",), ("value",)),
    FigureSpec(
        "empowerment_programmes",
        3,
        "programme",
        "programme_code",
        ("participants", "women"),
        ("projects", "sessions", "participants", "women", "persons_with_disabilities"),
    ),
    FigureSpec(
        "outcomes_by_indicator",
        4,
        "indicator",
        "indicator_code",
        ("achieved", "pending_target"),
        ("projects_completed", "achieved", "their_target", "achievement_rate", "projects_ongoing", "pending_target"),
    ),
    FigureSpec(
        "sessions_by_type",
        5,
        "type",
        "session_type",
        ("participants", "women"),
        ("sessions", "organisations", "participants", "women", "sales_mad"),
    ),
    FigureSpec(
        "largest_sessions",
        5,
        "title",
        "session_id",
        ("organisations",),
        ("starts_on", "organisations", "participants", "sales_mad"),
    ),
    FigureSpec(
        "deliveries",
        6,
        None,
        "source_name",
        ("rows_loaded", "rows_set_aside"),
        ("file_name", "received_at", "freshness", "rows_loaded", "rows_set_aside", "files_rejected"),
        annex=True,
    ),
    FigureSpec("quality_warnings", 6, None, "asset", (), ("expectation", "severity", "failing_row_count"), annex=True),
)

SECTIONS = tuple(sorted({f.section for f in FIGURES}))
