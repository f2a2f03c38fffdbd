"""Figures of the report, as matplotlib figures drawn from small summary frames.

Every function takes a frame already summarised (curves, means, rates, swimmer lanes) and returns
a :class:`matplotlib.figure.Figure`; :func:`render_png` turns it into PNG bytes that are identical
on every run (Agg backend, no software or date metadata, fixed dpi).
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import polars as pl
from matplotlib.figure import Figure
from PIL import Image

from outcomes.report.svg import BACKEND as SVG_BACKEND
from outcomes.report.swimmer import MARK_KINDS

#: Days per month of the months axes (endpoints.md §16.18).
DAYS_PER_MONTH = 365 / 12

plt.rcParams.update({"svg.hashsalt": "outcomes", "font.size": 9, "text.parse_math": False})

#: Episode parameter -> (lane offset, colour); mark kind -> (marker, colour).
EPISODE_STYLE: dict[str, tuple[float, str]] = {
    "DORIS": (0.22, "#1b9e77"),
    "DFDORIS": (0.0, "#7570b3"),
    "LLDAS": (-0.22, "#66a61e"),
}
MARK_STYLE: dict[str, tuple[str, str]] = {
    "Rescue": ("v", "#d95f02"),
    "Flare": ("*", "#e7298a"),
    "CRS": ("^", "#e6ab02"),
    "ICANS": ("D", "#a6761d"),
    "Death": ("X", "#000000"),
    "Censored": ("|", "#444444"),
}


@dataclass(frozen=True)
class FigureSize:
    """Figure width and height in inches, and dots per inch."""

    width_in: float
    height_in: float
    dpi: int


#: Resolution of the PNG files written next to the report (print quality).
FILE_DPI = 300


def render_files(fig: Figure) -> tuple[bytes, bytes]:
    """PNG at :data:`FILE_DPI` and SVG bytes of ``fig``, without metadata; keeps it open."""
    png, svg = io.BytesIO(), io.BytesIO()
    fig.savefig(png, format="png", dpi=FILE_DPI, metadata={"Software": None})
    fig.savefig(svg, format="svg", metadata={"Date": None, "Creator": None})
    return png.getvalue(), svg.getvalue()


#: zlib level of the :data:`FILE_DPI` PNG: level 3 encodes in about two thirds of the time of
#: the default (6) for files about a fifth larger.
FILE_PNG_LEVEL = 3


def _opaque(raster: memoryview) -> Image.Image:
    """The Agg ``raster`` as a Pillow image: RGB when every pixel is opaque (a figure on its
    white face: the same picture, a quarter fewer bytes to compress), RGBA otherwise."""
    pixels = np.asarray(raster)
    image = Image.fromarray(pixels, mode="RGBA")
    return image.convert("RGB") if bool((pixels[..., 3] == 255).all()) else image


def _encode_pngs(raster: memoryview, *, dpi: int) -> tuple[bytes, bytes]:
    """The :data:`FILE_DPI` PNG of the Agg ``raster`` (the pixels ``savefig(format="png")``
    writes, at zlib level :data:`FILE_PNG_LEVEL`) and the PNG at ``dpi``, box-averaged from
    it; neither carries metadata beyond its resolution."""
    image = _opaque(raster)
    hires = io.BytesIO()
    image.save(hires, format="png", dpi=(FILE_DPI, FILE_DPI), compress_level=FILE_PNG_LEVEL)
    size = (round(image.width * dpi / FILE_DPI), round(image.height * dpi / FILE_DPI))
    small = io.BytesIO()
    image.resize(size, Image.Resampling.BOX).save(small, format="png", dpi=(dpi, dpi))
    return hires.getvalue(), small.getvalue()


def render_figure_files(fig: Figure, *, dpi: int) -> tuple[bytes, bytes, bytes]:
    """PNG at :data:`FILE_DPI`, SVG, and PNG at ``dpi`` of ``fig``, laid out once; closes it.

    The figure is laid out (constrained layout) and drawn once, at :data:`FILE_DPI`. The SVG
    is drawn with that layout kept (:mod:`outcomes.report.svg`) while a second thread encodes
    the raster (Pillow compresses without holding the interpreter): the :data:`FILE_DPI` PNG,
    pixel for pixel what ``savefig(format="png")`` writes, and the PNG at ``dpi``, the raster
    averaged over boxes of pixels (each output pixel the mean of the pixels it covers), not
    drawn a third time. Every file is without metadata and identical across runs.
    """
    from concurrent.futures import ThreadPoolExecutor

    # draws the figure at FILE_DPI; Agg keeps the raster until the next Agg draw
    fig.savefig(os.devnull, format="raw", dpi=FILE_DPI)
    raster = fig.canvas.buffer_rgba()
    fig.set_layout_engine(None)
    svg = io.BytesIO()
    with ThreadPoolExecutor(max_workers=1) as pool:
        pngs = pool.submit(_encode_pngs, raster, dpi=dpi)
        fig.savefig(
            svg, format="svg", backend=SVG_BACKEND, metadata={"Date": None, "Creator": None}
        )
        hires, small = pngs.result()
    plt.close(fig)
    return hires, svg.getvalue(), small


def render_png(fig: Figure, *, dpi: int) -> bytes:
    """PNG bytes of ``fig`` without metadata (byte-identical across runs); closes the figure."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    plt.close(fig)
    return buffer.getvalue()


def _new(
    size: FigureSize, nrows: int = 1, ncols: int = 1, height_scale: float = 1.0, **kw: object
) -> tuple[Figure, object]:
    return plt.subplots(
        nrows,
        ncols,
        figsize=(size.width_in, size.height_in * height_scale),
        squeeze=False,
        layout="constrained",
        **kw,
    )


def create_trajectories(advisit: pl.DataFrame, *, score: str) -> pl.DataFrame:
    """The points of the spaghetti plot of ``score``: ``advisit`` rows with the score from the
    baseline (``ABLFL``, month 0) on, with their month (``_tmp_m`` = ADY / (365/12)), sorted by
    subject and month."""
    baseline = pl.col("ABLFL").fill_null(False) if "ABLFL" in advisit.columns else pl.lit(False)
    return (
        advisit.filter(
            pl.col("ADY").is_not_null()
            & pl.col(score).is_not_null()
            & ((pl.col("ADY") >= 0) | baseline)
        )
        .with_columns(
            pl.when(baseline).then(0.0).otherwise(pl.col("ADY") / DAYS_PER_MONTH).alias("_tmp_m")
        )
        .sort("USUBJID", "_tmp_m")
    )


def plot_trajectories(
    advisit: pl.DataFrame,
    *,
    score: str,
    dose_levels: tuple[str, ...],
    size: FigureSize,
    subjects: pl.Series | None = None,
    points: pl.DataFrame | None = None,
) -> Figure:
    """Spaghetti plot, one panel per dose level: ``score`` of every subject from baseline.

    Each line starts at the subject's baseline (``ABLFL``, drawn at month 0) and follows every
    post-infusion assessment on a months axis (ADY / (365/12)). With ``subjects`` (a sample,
    :mod:`.sampling`) only their lines are drawn; a panel's title gives its number of subjects
    and, when fewer are drawn, how many are. ``points``: :func:`create_trajectories` of
    ``advisit``, when already computed.
    """
    fig, axes = _new(size, 1, len(dose_levels), sharey=True)
    data = create_trajectories(advisit, score=score) if points is None else points
    for ax, level in zip(axes[0], dose_levels, strict=True):
        part = data.filter(pl.col("DOSELVL") == level)
        total = part["USUBJID"].n_unique()
        if subjects is not None:
            part = part.filter(pl.col("USUBJID").is_in(subjects.implode()))
        for subject in part.partition_by("USUBJID", maintain_order=True):
            ax.plot(
                subject["_tmp_m"].to_list(),
                subject[score].to_list(),
                lw=0.8,
                alpha=0.7,
                marker=".",
                ms=3,
            )
        drawn = part["USUBJID"].n_unique()
        ax.set_title(
            f"{level} (n={total})" if drawn == total else f"{level} (n={total}, {drawn} drawn)"
        )
        ax.set_xlabel("Months since infusion (0 = baseline)")
    axes[0][0].set_ylabel(score)
    return fig


def plot_mean_by_visit(
    summary: pl.DataFrame,
    *,
    value: str,
    label: str,
    dose_levels: tuple[str, ...],
    size: FigureSize,
    target_days: dict[str, int] | None = None,
) -> Figure:
    """Mean (or rate) with its interval at each scheduled visit, one line per dose level.

    With ``target_days`` (visit label -> target study day) the x axis is true time in months
    and the number of subjects per visit and dose level is printed under the axis.
    """
    fig, axes = _new(size, height_scale=1.2 if target_days else 1.0)
    ax = axes[0][0]
    visits = summary.select("AVISITN", "AVISIT").unique().sort("AVISITN")

    def position(frame: pl.DataFrame) -> list[float]:
        if target_days is None:
            return [float(v) for v in frame["AVISITN"].to_list()]
        return [target_days.get(v, 0) / DAYS_PER_MONTH for v in frame["AVISIT"].to_list()]

    shift = 0.15 if target_days is None else 0.12
    for k, level in enumerate(dose_levels):
        part = summary.filter(pl.col("DOSELVL") == level).sort("AVISITN")
        x = [v + (k - (len(dose_levels) - 1) / 2) * shift for v in position(part)]
        y = part[value].to_list()
        lo = [m - lw if lw is not None else 0.0 for m, lw in zip(y, part["LOWER"], strict=True)]
        hi = [up - m if up is not None else 0.0 for m, up in zip(y, part["UPPER"], strict=True)]
        ax.errorbar(x, y, yerr=[lo, hi], marker="o", ms=4, capsize=3, label=level)
        if target_days is not None and "N" in part.columns:
            for xv, n in zip(position(part), part["N"].to_list(), strict=True):
                ax.annotate(
                    str(n),
                    xy=(xv, 0),
                    xycoords=("data", "axes fraction"),
                    xytext=(0, -30 - 10 * k),
                    textcoords="offset points",
                    ha="center",
                    fontsize=7,
                )
    if target_days is None:
        ax.set_xticks(visits["AVISITN"].to_list(), visits["AVISIT"].to_list(), rotation=30)
    else:
        ax.set_xticks(position(visits), visits["AVISIT"].to_list(), rotation=0, fontsize=7)
        ax.set_xlabel(f"Months since infusion; n per visit below ({', '.join(dose_levels)})")
    ax.set_ylabel(label)
    ax.legend(title="Dose level", fontsize=8)
    return fig


def _step_value(part: pl.DataFrame, times: list[float], start: float) -> list[float]:
    """The step curve's value at each time (last point at or before it; ``start`` before).

    ``part`` is sorted by ``time``: the points at or before ``t`` are the first
    ``searchsorted(time, t, side="right")`` of them.
    """
    ys = [start, *part["estimate"].to_list()]
    index = np.searchsorted(part["time"].to_numpy(), np.asarray(times, dtype=float), side="right")
    return [ys[i] for i in index.tolist()]


def plot_survival(
    curves: pl.DataFrame,
    *,
    at_risk: pl.DataFrame,
    ylabel: str,
    start: float,
    size: FigureSize,
    tte: pl.DataFrame | None = None,
    title: str | None = None,
) -> Figure:
    """Step curves by ``group`` from ``(0, start)``, pointwise bands, numbers at risk below.

    ``curves`` holds ``group, time, estimate`` and optionally ``lower, upper`` (see
    :mod:`outcomes.report.survival`); ``at_risk`` holds ``group, day, n``. With ``tte`` (one row
    per subject: ``DOSELVL, AVAL, EVENT``) the figure follows the survminer / ggsurvfit
    conventions: months on the time axis, a censor mark (``|``) on the curve at each censored
    time, N and events per group in the legend, the endpoint named in the title, and the
    numbers at risk drawn by lifelines' ``add_at_risk_counts`` under the axis ticks from 0.
    """
    if tte is None:
        return _plot_survival_days(curves, at_risk=at_risk, ylabel=ylabel, start=start, size=size)
    from lifelines import KaplanMeierFitter
    from lifelines.plotting import add_at_risk_counts

    fig, axes = _new(size, height_scale=1.3)
    ax = axes[0][0]
    fitters = []
    months = curves.with_columns(pl.col("time") / DAYS_PER_MONTH)
    for group in curves["group"].unique().sort().to_list():
        part = months.filter(pl.col("group") == group).sort("time")
        subj = tte.filter(pl.col("DOSELVL") == group)
        n, events = subj.height, int(subj["EVENT"].sum())
        label = f"{group} (N={n}, events={events})"
        x = [0.0, *part["time"].to_list()]
        (line,) = ax.step(x, [start, *part["estimate"].to_list()], where="post", label=label)
        if {"lower", "upper"} <= set(part.columns):
            lo = [start, *part["lower"].fill_null(float("nan")).to_list()]
            hi = [start, *part["upper"].fill_null(float("nan")).to_list()]
            ax.fill_between(x, lo, hi, step="post", alpha=0.15, color=line.get_color())
        censored = (subj.filter(pl.col("EVENT") == 0)["AVAL"] / DAYS_PER_MONTH).to_list()
        ax.plot(
            censored,
            _step_value(part, censored, start),
            ls="none",
            marker="|",
            ms=8,
            mew=1.2,
            color=line.get_color(),
        )
        kmf = KaplanMeierFitter(label=str(group))
        kmf.fit((subj["AVAL"] / DAYS_PER_MONTH).to_list(), subj["EVENT"].to_list())
        fitters.append(kmf)
    top = max(12.0, float(months["time"].max() or 0.0))
    step = 3 if top <= 24 else 6
    ticks = [float(t) for t in range(0, int(top) + step, step)]
    ax.set_xticks(ticks)
    ax.set_xlim(0, ticks[-1])
    ax.set_ylim(-0.02, 1.02)
    ax.set_ylabel(ylabel)
    ax.set_xlabel("Months since infusion")
    if title:
        ax.set_title(title)
    ax.plot([], [], ls="none", marker="|", color="#444444", label="Censored")
    ax.legend(fontsize=8, loc="best")
    if fitters:
        add_at_risk_counts(*fitters, ax=ax, rows_to_show=["At risk"], xticks=ticks)
    return fig


def _plot_survival_days(
    curves: pl.DataFrame, *, at_risk: pl.DataFrame, ylabel: str, start: float, size: FigureSize
) -> Figure:
    """Curves on the day scale with a table of numbers at risk (without subject-level data)."""
    fig, axes = _new(size, 2, 1, height_scale=1.3, height_ratios=[4, 1])
    ax, table = axes[0][0], axes[1][0]
    for group in curves["group"].unique().sort().to_list():
        part = curves.filter(pl.col("group") == group).sort("time")
        x = [0.0, *part["time"].to_list()]
        (line,) = ax.step(x, [start, *part["estimate"].to_list()], where="post", label=str(group))
        if {"lower", "upper"} <= set(part.columns):
            lo = [start, *part["lower"].fill_null(float("nan")).to_list()]
            hi = [start, *part["upper"].fill_null(float("nan")).to_list()]
            ax.fill_between(x, lo, hi, step="post", alpha=0.15, color=line.get_color())
    ax.set_ylim(-0.02, 1.02)
    ax.set_ylabel(ylabel)
    ax.set_xlabel("Days (AVAL)")
    ax.legend(fontsize=8)
    table.axis("off")
    days = at_risk["day"].unique().sort().to_list()
    groups = at_risk["group"].unique().sort().to_list()
    rows = [
        [str(v) for v in at_risk.filter(pl.col("group") == g).sort("day")["n"].to_list()]
        for g in groups
    ]
    if rows:
        table.table(
            cellText=rows,
            rowLabels=[str(g) for g in groups],
            colLabels=[str(d) for d in days],
            loc="center",
            cellLoc="center",
        )
    table.set_title("Number at risk (by day)", fontsize=8)
    return fig


def plot_swimmer(
    lanes: pl.DataFrame, *, episodes: pl.DataFrame, marks: pl.DataFrame, size: FigureSize
) -> Figure:
    """Swimmer plot: a lane per subject, episode bars, event marks (see :mod:`.swimmer`)."""
    height = max(1.0, 0.22 * lanes.height / size.height_in + 0.4)
    fig, axes = _new(size, height_scale=height)
    ax = axes[0][0]
    y_of = {s: i for i, s in enumerate(reversed(lanes["USUBJID"].to_list()))}
    ys = [y_of[s] for s in lanes["USUBJID"].to_list()]
    ax.barh(ys, lanes["ENDDY"].to_list(), height=0.7, color="#dddddd", edgecolor="#999999")
    for paramcd, (offset, colour) in EPISODE_STYLE.items():
        ep = episodes.filter(pl.col("PARAMCD") == paramcd)
        ax.barh(
            [y_of[s] + offset for s in ep["USUBJID"].to_list()],
            (ep["ENDDY"] - ep["STARTDY"]).to_list(),
            left=ep["STARTDY"].to_list(),
            height=0.2,
            color=colour,
            label=paramcd,
        )
    for kind in MARK_KINDS:
        mk = marks.filter(pl.col("KIND") == kind)
        marker, colour = MARK_STYLE[kind]
        ax.scatter(
            mk["DAY"].to_list(),
            [y_of[s] for s in mk["USUBJID"].to_list()],
            marker=marker,
            color=colour,
            s=22,
            zorder=3,
            label=kind,
        )
    if "ONGOINGFL" in lanes.columns:
        ongoing = lanes.filter(pl.col("ONGOINGFL"))
        span = max(1, int(lanes["ENDDY"].max() or 1))
        for subject, end in ongoing.select("USUBJID", "ENDDY").iter_rows():
            ax.annotate(
                "",
                xy=(end + 0.04 * span, y_of[subject]),
                xytext=(end, y_of[subject]),
                arrowprops={"arrowstyle": "->", "color": "#333333", "lw": 1.0},
            )
        if ongoing.height:
            ax.plot([], [], ls="none", marker=">", color="#333333", label="On study")
    labels = [f"{s} ({d})" for s, d in zip(lanes["USUBJID"], lanes["DOSELVL"], strict=True)]
    ax.set_yticks(ys, labels, fontsize=6)
    ax.axvline(0, color="#555555", lw=0.8, label="Infusion (Day 0)")
    ax.set_xlabel("Days since infusion (Day 0 = infusion)")
    ax.legend(fontsize=7, loc="lower right", ncols=3)
    return fig
