"""The report's figure files, rendered in worker processes while the report is built.

A figure is drawn by the section builder (from the polars summaries, in the report's process)
and handed over pickled: the worker lays it out, draws it and encodes its files
(:func:`outcomes.report.figures.render_figure_files`) while the builder goes on with the next
section. matplotlib is not thread-safe, hence processes; they are forked from the report's
process (which has matplotlib imported already) where the platform allows it, and they never
run polars (a forked child must not use the parent's polars thread pool). A pickled figure
holds only what it draws (summaries, at most ``report.figure_max_subjects`` lanes or lines),
never the datasets.

The files do not depend on the number of workers: each figure is drawn alone from its own
pickled state, and a pickled figure draws the same bytes as the figure itself.
"""

from __future__ import annotations

import multiprocessing
import pickle
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

import matplotlib.pyplot as plt

from outcomes.report import figures as fg

#: PNG at :data:`~outcomes.report.figures.FILE_DPI`, SVG, and PNG at the report's dpi.
FigureFiles = tuple[bytes, bytes, bytes]


def _render_pickled(blob: bytes, dpi: int) -> FigureFiles:
    """Worker: the files of the pickled figure ``blob``."""
    return fg.render_figure_files(pickle.loads(blob), dpi=dpi)


def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


class FigurePool:
    """Renders figures as they are submitted, with ``workers`` processes (in this process when
    ``workers`` is 1), and returns every figure's files by name.

    Parameters
    ----------
    workers
        Number of worker processes; 1 renders each figure in this process at submission.
    dpi
        Resolution of the PNG embedded in the report.
    """

    def __init__(self, *, workers: int, dpi: int) -> None:
        self.dpi = dpi
        self._done: dict[str, FigureFiles] = {}
        self._pending: dict[str, Future[FigureFiles]] = {}
        self._executor = (
            ProcessPoolExecutor(max_workers=workers, mp_context=_context()) if workers > 1 else None
        )

    def submit(self, name: str, fig: Any) -> None:
        """Render ``fig`` (closed here) as the files of ``name``."""
        if self._executor is None:
            self._done[name] = fg.render_figure_files(fig, dpi=self.dpi)
            return
        blob = pickle.dumps(fig, protocol=pickle.HIGHEST_PROTOCOL)
        plt.close(fig)
        self._pending[name] = self._executor.submit(_render_pickled, blob, self.dpi)

    def results(self) -> dict[str, FigureFiles]:
        """Every submitted figure's files, once all are rendered; shuts the workers down."""
        try:
            for name, future in self._pending.items():
                self._done[name] = future.result()
        finally:
            self.close()
        return dict(self._done)

    def close(self) -> None:
        """Stop the workers (pending figures are dropped)."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
        self._pending = {}
