"""Render one data cut's report: a single self-contained HTML page (issue 7).

The page opens offline: inline CSS, figures embedded as base64 PNG, no script, no external
resource. Every data string is escaped. The same inputs and configuration give the same bytes:
tables are sorted, figures carry no metadata, and no clock is read (the timestamp of a run is in
``manifest.json`` only).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from outcomes.report import figures as fg
from outcomes.report import sections as sc
from outcomes.report.captions import caption, route_table
from outcomes.report.data_status import describe_data_status, summarize_data_status
from outcomes.report.figure_pool import FigurePool
from outcomes.report.html import render_note, render_page, render_section, render_table, text
from outcomes.report.load import RunData
from outcomes.report.params import ReportParams
from outcomes.report.sampling import describe_figure_sample, select_figure_subjects
from outcomes.report.survival import (
    DURATIONS,
    TIME_TO,
    create_cif_curves,
    create_km_curves,
    create_tte_input,
    summarize_at_risk,
)
from outcomes.report.swimmer import (
    create_swimmer_episodes,
    create_swimmer_lanes,
    create_swimmer_marks,
)
from outcomes.report.tfl.catalogue import build_tfls
from outcomes.report.tfl.key_results import create_key_results, render_key_results
from outcomes.report.tfl.survival import TTE_LABELS
from outcomes.report.tfl.table import Tfl, create_tfl_frame
from outcomes.report.tfl.writers import render_tfl_html
from outcomes.report.transport import render_transport

TITLES: dict[str, str] = {
    "cover": "Study and data cut",
    "validation": "Validation summary",
    "disposition": "Disposition",
    "baseline": "Baseline characteristics by dose level",
    "safety": "Safety within 3 months (primary endpoint)",
    "obd": "Optimal biological dose",
    "activity": "Disease activity over time",
    "rates": "DORIS, drug-free DORIS, LLDAS and SRI-4",
    "time_to_event": "Time to event",
    "swimmer": "Swimmer plot",
    "analysis_tables": "Analysis tables",
    "methods": "Methods",
    "dictionary": "Data dictionary",
}
#: Sections that document the run rather than report results: shown after the results, as
#: the appendix.
APPENDIX: tuple[str, ...] = ("cover", "validation", "analysis_tables", "methods", "dictionary")
#: Result sections that show the numbered TFLs of a TFL section.
TFL_SECTIONS: dict[str, str] = {"safety": "safety", "rates": "efficacy"}


@dataclass(frozen=True)
class ReportContent:
    """The rendered page and the tables (by stem) and figures (PNG bytes by name) it shows."""

    html: str
    tables: dict[str, pl.DataFrame]
    figures: dict[str, bytes]
    tfls: tuple[Tfl, ...] = ()
    files: dict[str, tuple[bytes, bytes]] | None = None


def _curve_figure(
    ctx: sc.ReportContext,
    name: str,
    curves: pl.DataFrame | None,
    *,
    at_risk: pl.DataFrame,
    ylabel: str,
    start: float,
    tte: pl.DataFrame | None = None,
    title: str | None = None,
) -> str:
    if curves is None:
        return render_note(f"Not shown: no {name.split('_', 1)[1].upper()} data.")
    fig = fg.plot_survival(
        curves, at_risk=at_risk, ylabel=ylabel, start=start, size=ctx.size, tte=tte, title=title
    )
    return ctx.figure(name, fig)


def _section_time_to_event(ctx: sc.ReportContext) -> list[str]:
    if absent := [n for n in ("adtte", "adsl") if ctx.run.get(n) is None]:
        return [sc.missing_note(*absent)]
    adtte, adsl, body = ctx.run.get("adtte"), ctx.run.get("adsl"), []
    present = set(adtte["PARAMCD"].unique().to_list())
    for paramcd in [p for p in (*TIME_TO, *DURATIONS) if p in present]:
        tte = create_tte_input(adtte, adsl=adsl, paramcd=paramcd)
        at_risk = summarize_at_risk(tte, days=ctx.params.at_risk_days)
        achieve = paramcd in TIME_TO
        body.append(f"<h3>{text(paramcd)}</h3>")
        body.append(
            _curve_figure(
                ctx,
                f"km_{paramcd.lower()}",
                create_km_curves(
                    tte,
                    paramcd=paramcd,
                    conf_type=ctx.params.km_conf_type,
                    conf_level=ctx.params.conf_level,
                ),
                at_risk=at_risk,
                ylabel="Probability achieved (1 - KM)" if achieve else "Probability still in state",
                start=0.0 if achieve else 1.0,
                tte=tte,
                title=f"{TTE_LABELS.get(paramcd, paramcd)} (Kaplan-Meier)",
            )
        )
        if achieve:
            body.append(
                _curve_figure(
                    ctx,
                    f"cif_{paramcd.lower()}",
                    create_cif_curves(tte, conf_level=ctx.params.conf_level),
                    at_risk=at_risk,
                    ylabel="Cumulative incidence (death competing)",
                    start=0.0,
                    tte=tte,
                    title=f"{TTE_LABELS.get(paramcd, paramcd)} (cumulative incidence)",
                )
            )
    return body or [render_note("adtte holds no time-to-event parameter.")]


def _section_swimmer(ctx: sc.ReportContext) -> list[str]:
    if ctx.run.get("adsl") is None:
        return [sc.missing_note("adsl")]
    adsl = ctx.run.get("adsl")
    lanes = create_swimmer_lanes(adsl, dose_levels=ctx.dose_levels)
    shown = select_figure_subjects(lanes["USUBJID"], max_subjects=ctx.params.figure_max_subjects)
    note = describe_figure_sample(shown.len(), lanes.height)
    lanes = lanes.filter(pl.col("USUBJID").is_in(shown.implode()))
    adepi = ctx.run.get("adepi")
    episodes = (
        create_swimmer_episodes(adepi, adsl=adsl)
        if adepi is not None
        else pl.DataFrame(
            schema={
                "USUBJID": pl.String,
                "PARAMCD": pl.String,
                "STARTDY": pl.Int64,
                "ENDDY": pl.Int64,
            }
        )
    )
    marks = create_swimmer_marks(
        lanes,
        adsl=adsl,
        events=ctx.run.get("events"),
        advisit=ctx.run.get("advisit"),
        adae=ctx.run.get("adae"),
    )
    absent = [n for n in ("adepi", "events", "advisit", "adae") if ctx.run.get(n) is None]
    notes = [sc.missing_note(*absent)] if absent else []
    return [
        *notes,
        ctx.figure(
            "swimmer",
            fg.plot_swimmer(
                lanes,
                episodes=episodes.join(lanes.select("USUBJID"), on="USUBJID", how="semi"),
                marks=marks,
                size=ctx.size,
            ),
            note=note,
        ),
    ]


def _analysis_tables(ctx: sc.ReportContext) -> dict[str, list[str]]:
    """Analysis tables grouped by section, in ``table_order`` then alphabetical order."""
    first = [s for s in ctx.params.table_order if s in ctx.run.tables]
    stems = first + sorted(s for s in ctx.run.tables if s not in first)
    routed: dict[str, list[str]] = {}
    for stem in stems:
        section = route_table(stem, sections=ctx.params.section_order)
        routed.setdefault(section, []).append(
            render_table(ctx.run.tables[stem], caption=f"{caption(stem)} (tables/{stem}.csv)")
        )
    return routed


def _section_dictionary(ctx: sc.ReportContext) -> list[str]:
    """Data dictionary, then the transport files (XPT v5, Dataset-JSON) of the ADaM datasets."""
    return [*sc.section_dictionary(ctx), *render_transport(ctx.run.transport)]


STATUS_TITLE = "Validation status of the cut"


def _status(ctx: sc.ReportContext) -> list[str]:
    """The first section: open errors and warnings, subjects touched, excluded records
    (data-contract §1.6; :mod:`outcomes.report.data_status`)."""
    if ctx.run.issues is None:
        return [render_note("Not shown: missing input validation/issues.csv.")]
    status = summarize_data_status(ctx.run.issues, ctx.run.excluded)
    return [f"<p>{text(describe_data_status(status))}</p>", ctx.table("data_status", status)]


def _status_lines(ctx: sc.ReportContext) -> list[str]:
    """The data status beside the key results: the first sentence of the status section."""
    if ctx.run.issues is None:
        return ["Validation status not available (validation/issues.csv is missing)."]
    return [describe_data_status(summarize_data_status(ctx.run.issues, ctx.run.excluded))]


BUILDERS = {
    "cover": sc.section_cover,
    "validation": sc.section_validation,
    "disposition": sc.section_disposition,
    "baseline": sc.section_baseline,
    "activity": sc.section_activity,
    "rates": sc.section_rates,
    "time_to_event": _section_time_to_event,
    "swimmer": _section_swimmer,
    "methods": sc.section_definitions,
    "dictionary": _section_dictionary,
}

#: Sections that draw figures (built first, see :func:`build_report`).
FIGURE_SECTIONS: tuple[str, ...] = ("activity", "rates", "time_to_event", "swimmer")


def _record_safety_table(ctx: sc.ReportContext, tfls: list[Tfl]) -> None:
    """tables/report_safety_3m.csv: the cells of Table 14.3.2 (every category and grade)."""
    grades = next((t for t in tfls if t.number == "Table 14.3.2"), None)
    if grades is not None:
        ctx.table("safety_3m", create_tfl_frame(grades))


def build_report(
    run: RunData,
    *,
    config: dict[str, Any],
    params: ReportParams,
    checksums: dict[str, str],
    versions: dict[str, str],
    workers: int = 1,
) -> ReportContent:
    """Build every configured section; see :func:`render_report`. ``workers`` processes render
    the figures (:mod:`outcomes.report.figure_pool`); the result does not depend on it."""
    pool = FigurePool(workers=workers, dpi=params.figure_dpi)
    try:
        return _build_report(sc.ReportContext(run, config, params, checksums, versions, pool=pool))
    finally:
        pool.close()


def _build_report(ctx: sc.ReportContext) -> ReportContent:
    run, config, params = ctx.run, ctx.config, ctx.params
    # The sections with figures first: their figures render while the rest is built.
    built = {sid: BUILDERS[sid](ctx) for sid in params.section_order if sid in FIGURE_SECTIONS}
    routed = _analysis_tables(ctx)
    tfls = build_tfls(run, config=config)
    lines = create_key_results(
        tfls, conf_level=float(config["report"]["conf_level"]), obd=run.tables.get("obd")
    )
    total = next((t.columns[-1] for t in tfls if t.number.startswith("Table")), "Total")
    key = render_key_results(lines, status=_status_lines(ctx), column_label=f"column {total}")
    parts = [
        ("key_results", "Key results", render_section("key_results", "Key results", [key])),
        ("status", STATUS_TITLE, render_section("status", STATUS_TITLE, _status(ctx))),
    ]
    appendix: list[str] = []
    appendix_parts: list[tuple[str, str, str]] = []
    for sid in params.section_order:
        body = []
        if sid in BUILDERS and sid not in TFL_SECTIONS:
            body = built[sid] if sid in built else BUILDERS[sid](ctx)
        if sid == "safety" and (absent := sc.absent_note(ctx, "adsl", "adae")):
            body.append(absent)
        extra = routed.get(sid, [])
        if sid in TFL_SECTIONS:
            body += [render_tfl_html(t) for t in tfls if t.section == TFL_SECTIONS[sid]]
            if sid == "safety":
                _record_safety_table(ctx, tfls)
            if sid == "rates":
                # The rates section keeps its figures; its numbers are the TFLs above.
                rates = built[sid] if sid in built else BUILDERS[sid](ctx)
                body += rates[:-1] if len(rates) > 1 else rates
            # The analysis tables (CSV) of a TFL section go to the appendix: the section shows
            # one answer per question, the numbered tables.
            appendix.extend(extra)
            extra = []
        body += extra
        if not body:
            body = [render_note("No table for this section in this run.")]
        title = f"Appendix: {TITLES[sid]}" if sid in APPENDIX else TITLES[sid]
        target = appendix_parts if sid in APPENDIX else parts
        target.append((sid, title, render_section(sid, title, body)))
    listings = [render_tfl_html(t) for t in tfls if t.section == "listings"]
    if listings:
        parts.append(("listings", "Listings", render_section("listings", "Listings", listings)))
    if appendix:
        title = "Appendix: analysis tables of the results sections"
        appendix_parts.append(
            ("appendix_tables", title, render_section("appendix_tables", title, appendix))
        )
    title = f"{config['study']['studyid']} — report at data cut {config['data']['data_cut']}"
    page = ctx.insert_figures(render_page(title, parts + appendix_parts))
    return ReportContent(
        page,
        dict(ctx.tables),
        dict(ctx.figures),
        tuple(tfls),
        dict(ctx.files),
    )


def render_report(
    run: RunData,
    *,
    config: dict[str, Any],
    params: ReportParams,
    checksums: dict[str, str],
    versions: dict[str, str],
) -> str:
    """The report of one data cut as a self-contained HTML document.

    Sections follow ``report.section_order``: cover (study, cut, input checksums, config,
    versions), validation, disposition, baseline, safety (CAR-T-related AEs Day 0-91, the primary
    endpoint, endpoints.md §9 D-26), OBD, disease activity, responder rates, time to event
    (Kaplan–Meier, cumulative incidence, numbers at risk), swimmer plot, analysis tables,
    methods and data dictionary. Missing datasets are named in a visible note.

    Parameters
    ----------
    run
        The run folder's datasets (:func:`outcomes.report.load.read_run`).
    config
        The checked configuration of the run.
    params
        The ``report`` section.
    checksums
        Input file -> SHA-256.
    versions
        Package -> version.

    Returns
    -------
    str
        The HTML document; identical for identical inputs.
    """
    return build_report(
        run, config=config, params=params, checksums=checksums, versions=versions
    ).html
