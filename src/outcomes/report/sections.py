"""One builder per report section: each returns the section's HTML body and records its tables
(written to ``tables/report_<name>.csv``) and figures (``figures/<name>.png``) in the context.

A section whose dataset is missing shows a visible note naming the file; nothing is estimated
without its input.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import polars as pl
import yaml

from outcomes.report import figures as fg
from outcomes.report.activity import RATE_PARAMS, summarize_activity, summarize_rates
from outcomes.report.captions import caption
from outcomes.report.figure_pool import FigurePool
from outcomes.report.html import render_figure, render_list, render_note, render_table, text
from outcomes.report.load import DATASETS, OWN_TABLE_PREFIX, RunData
from outcomes.report.methods import (
    summarize_definitions,
    summarize_dictionary,
    summarize_settings,
)
from outcomes.report.params import ReportParams
from outcomes.report.sampling import describe_figure_sample, select_figure_subjects
from outcomes.report.summaries import summarize_baseline, summarize_disposition


@dataclass(frozen=True)
class ReportContext:
    """What every section builder reads, and the tables and figures the builders produce."""

    run: RunData
    config: dict[str, Any]
    params: ReportParams
    checksums: dict[str, str]
    versions: dict[str, str]
    tables: dict[str, pl.DataFrame] = field(default_factory=dict)
    figures: dict[str, bytes] = field(default_factory=dict)
    files: dict[str, tuple[bytes, bytes]] = field(default_factory=dict)
    #: Renders the figures (in worker processes when the report is given more than one).
    pool: FigurePool | None = None
    #: Figure name -> its caption, until the figure is rendered (:meth:`insert_figures`).
    captions: dict[str, str] = field(default_factory=dict)

    @property
    def dose_levels(self) -> tuple[str, ...]:
        """Dose levels in configured order."""
        return tuple(self.config["study"]["dose_levels"])

    @property
    def target_days(self) -> dict[str, int] | None:
        """Target study day of each scheduled visit (``visits.windows``), when configured."""
        windows = self.config.get("visits", {}).get("windows")
        if not windows:
            return None
        return {w["label"]: int(w["target_day"]) for w in windows}

    @property
    def size(self) -> fg.FigureSize:
        """Figure size of the configuration."""
        p = self.params
        return fg.FigureSize(p.figure_width_in, p.figure_height_in, p.figure_dpi)

    def table(self, name: str, frame: pl.DataFrame) -> str:
        """Record ``frame`` as ``tables/report_<name>.csv`` and return it as HTML."""
        stem = f"{OWN_TABLE_PREFIX}{name}"
        self.tables[stem] = frame
        return render_table(frame, caption=caption(stem))

    def figure(self, name: str, fig: Any, *, note: str | None = None) -> str:
        """Record ``fig`` (embedded PNG; 300 dpi PNG and SVG files) and return its place in the
        HTML, filled by :meth:`insert_figures` once the figure is rendered.

        ``note`` follows the figure's caption (the sample of subjects it draws).
        """
        if self.pool is None:
            raise RuntimeError("ReportContext.figure needs a FigurePool")
        self.pool.submit(name, fig)
        self.captions[name] = " ".join(filter(None, (caption(name), note)))
        return figure_marker(name)

    def insert_figures(self, page: str) -> str:
        """Wait for every figure, record its files and put it with its caption in ``page``."""
        if self.pool is None:
            return page
        for name, (hires, svg, png) in sorted(self.pool.results().items()):
            self.files[name] = (hires, svg)
            self.figures[name] = png
            page = page.replace(
                figure_marker(name), render_figure(png, caption=self.captions[name]), 1
            )
        return page


def figure_marker(name: str) -> str:
    """The place of figure ``name`` in the HTML before it is rendered: a comment, which no
    escaped data string can spell."""
    return f"<!--figure:{name}-->"


def missing_note(*names: str) -> str:
    """A note naming the datasets a section needs but the run folder lacks."""
    return render_note("Not shown: missing input " + ", ".join(DATASETS[n] for n in names) + ".")


def _absent(ctx: ReportContext, *names: str) -> list[str]:
    return [n for n in names if ctx.run.get(n) is None]


def section_cover(ctx: ReportContext) -> list[str]:
    """Study, data cut, missing inputs, input checksums, configuration, software versions."""
    study = ctx.config["study"]
    body = [
        f"<p><b>Study:</b> {text(study['studyid'])} — {text(study['title'])}<br>"
        f"<b>Data cut:</b> {text(ctx.config['data']['data_cut'])}</p>"
    ]
    if ctx.run.missing:
        body.append(
            render_note("Inputs not available for this report: " + ", ".join(ctx.run.missing))
        )
    sums = pl.DataFrame(
        {"FILE": list(ctx.checksums), "SHA256": list(ctx.checksums.values())},
        schema={"FILE": pl.String, "SHA256": pl.String},
    )
    body.append(ctx.table("checksums", sums))
    vers = pl.DataFrame(
        {"PACKAGE": list(ctx.versions), "VERSION": list(ctx.versions.values())},
        schema={"PACKAGE": pl.String, "VERSION": pl.String},
    )
    body.append(ctx.table("versions", vers))
    dumped = yaml.safe_dump(ctx.config, sort_keys=False, allow_unicode=True)
    body.append(f"<details><summary>Configuration</summary><pre>{text(dumped)}</pre></details>")
    return body


def _flatten(value: Any, prefix: str = "") -> list[tuple[str, str]]:
    if isinstance(value, dict):
        return [r for k, v in value.items() for r in _flatten(v, f"{prefix}{k}.")]
    return [
        (
            prefix.rstrip("."),
            json.dumps(value, sort_keys=True, ensure_ascii=False)
            if isinstance(value, list)
            else str(value),
        )
    ]


def section_validation(ctx: ReportContext) -> list[str]:
    """The validation summary (``validation/summary.json``) as a key/value table."""
    if ctx.run.validation is None:
        return [render_note("Not shown: missing input validation/summary.json.")]
    rows = _flatten(ctx.run.validation)
    frame = pl.DataFrame(rows, schema=["ITEM", "VALUE"], orient="row")
    return [ctx.table("validation", frame)]


def section_disposition(ctx: ReportContext) -> list[str]:
    """Enrolled -> infused -> each visit, reasons for leaving."""
    if _absent(ctx, "adsl"):
        return [missing_note("adsl")]
    frame = summarize_disposition(
        ctx.run.get("adsl"), advisit=ctx.run.get("advisit"), dose_levels=ctx.dose_levels
    )
    notes = [missing_note("advisit")] if _absent(ctx, "advisit") else []
    return [*notes, ctx.table("disposition", frame)]


def section_baseline(ctx: ReportContext) -> list[str]:
    """Baseline characteristics by dose level."""
    if _absent(ctx, "adsl"):
        return [missing_note("adsl")]
    return [
        ctx.table("baseline", summarize_baseline(ctx.run.get("adsl"), dose_levels=ctx.dose_levels))
    ]


def absent_note(ctx: ReportContext, *names: str) -> str | None:
    """The missing-input note of a section that needs ``names``, or None when all are there."""
    absent = _absent(ctx, *names)
    return missing_note(*absent) if absent else None


def section_activity(ctx: ReportContext) -> list[str]:
    """Trajectories of every subject and mean ± CI by dose level, per configured score."""
    if _absent(ctx, "advisit"):
        return [missing_note("advisit")]
    advisit, body = ctx.run.get("advisit"), []
    for score in ctx.params.activity_scores:
        body.append(f"<h3>{text(score)}</h3>")
        points = fg.create_trajectories(advisit, score=score)
        subjects = points["USUBJID"]
        shown = select_figure_subjects(subjects, max_subjects=ctx.params.figure_max_subjects)
        body.append(
            ctx.figure(
                f"trajectories_{score.lower()}",
                fg.plot_trajectories(
                    advisit,
                    score=score,
                    dose_levels=ctx.dose_levels,
                    size=ctx.size,
                    subjects=shown,
                    points=points,
                ),
                note=describe_figure_sample(shown.len(), subjects.n_unique()),
            )
        )
        means = summarize_activity(advisit, score=score, conf_level=ctx.params.conf_level)
        body.append(
            ctx.figure(
                f"mean_{score.lower()}",
                fg.plot_mean_by_visit(
                    means,
                    value="MEAN",
                    label=f"Mean {score}",
                    dose_levels=ctx.dose_levels,
                    size=ctx.size,
                    target_days=ctx.target_days,
                ),
            )
        )
        body.append(ctx.table(f"mean_{score.lower()}", means))
    return body


def section_rates(ctx: ReportContext) -> list[str]:
    """DORIS, drug-free DORIS, LLDAS and SRI-4 rates by visit and dose level with CIs."""
    if absent := _absent(ctx, "adrs", "adsl"):
        return [missing_note(*absent)]
    rates = summarize_rates(
        ctx.run.get("adrs"),
        adsl=ctx.run.get("adsl"),
        conf_level=ctx.params.conf_level,
        method=ctx.params.rate_ci_method,
    )
    body = []
    for paramcd in RATE_PARAMS:
        part = rates.filter(pl.col("PARAMCD") == paramcd)
        if part.is_empty():
            body.append(render_note(f"adrs holds no {paramcd} rows."))
            continue
        body.append(
            ctx.figure(
                f"rate_{paramcd.lower()}",
                fg.plot_mean_by_visit(
                    part,
                    value="RATE",
                    label=f"{paramcd} rate",
                    dose_levels=ctx.dose_levels,
                    size=ctx.size,
                    target_days=ctx.target_days,
                ),
            )
        )
    return [*body, ctx.table("rates", rates)]


def section_definitions(ctx: ReportContext) -> list[str]:
    """Methods: each stage's definitions in words, then every configured key with its meaning."""
    body = []
    for section, sentences in summarize_definitions(ctx.config):
        body.append(f"<h3>{text(section)}</h3>{render_list(list(sentences))}")
    body.append("<h3>Configured choices</h3>")
    body.append(ctx.table("settings", summarize_settings(ctx.config)))
    return body


def section_dictionary(ctx: ReportContext) -> list[str]:
    """Data dictionary from the pandera schemas."""
    return [ctx.table("dictionary", summarize_dictionary())]
