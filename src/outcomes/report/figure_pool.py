"""The report's figure files, rendered in child processes while the report is built.

A figure is drawn by its section builder (from the polars summaries, in the report's process).
With more than one worker, a child process forked at that moment lays it out, draws it and
encodes its files (:func:`outcomes.report.figures.render_figure_files`) while the builder goes
on with the next section; at most ``workers`` children run at once. matplotlib is not
thread-safe, hence processes. A forked child finds the figure, matplotlib and the loaded data
in memory shared copy-on-write: nothing is pickled to it (only the files come back), and it
never runs polars (a forked child must not use the parent's polars thread pool). Where the
platform cannot fork, the figures are rendered in the report's process.

The files do not depend on the number of workers: each child draws one figure from the state
it had when it was submitted, as the report's process would.
"""

from __future__ import annotations

import multiprocessing
import warnings
from multiprocessing.connection import Connection, wait
from typing import Any

import matplotlib.pyplot as plt

from outcomes.report import figures as fg

#: PNG at :data:`~outcomes.report.figures.FILE_DPI`, SVG, and PNG at the report's dpi.
FigureFiles = tuple[bytes, bytes, bytes]


def _render_child(conn: Connection, fig: Any, dpi: int) -> None:
    """Child: send the files of ``fig``, or the reason it failed."""
    try:
        conn.send(("ok", fg.render_figure_files(fig, dpi=dpi)))
    except Exception as exc:  # the child's failure is reported by the parent
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def can_fork() -> bool:
    """Whether figures can be rendered in forked children: the platform forks, and this
    process may have children (a daemonic process, such as a pool's worker, may not)."""
    return (
        "fork" in multiprocessing.get_all_start_methods()
        and not multiprocessing.current_process().daemon
    )


class FigurePool:
    """Renders figures as they are submitted, in up to ``workers`` forked children (in this
    process when ``workers`` is 1 or the platform cannot fork), and returns every figure's
    files by name.

    Parameters
    ----------
    workers
        Most children rendering at once; 1 renders each figure in this process at submission.
    dpi
        Resolution of the PNG embedded in the report.
    """

    def __init__(self, *, workers: int, dpi: int) -> None:
        self.dpi = dpi
        self.workers = workers if workers > 1 and can_fork() else 1
        self._done: dict[str, FigureFiles] = {}
        self._running: dict[Connection, tuple[str, Any]] = {}

    def submit(self, name: str, fig: Any) -> None:
        """Render ``fig`` (closed here) as the files of ``name``."""
        if self.workers == 1:
            self._done[name] = fg.render_figure_files(fig, dpi=self.dpi)
            return
        while len(self._running) >= self.workers:
            self._collect(block=True)
        receive, send = multiprocessing.Pipe(duplex=False)
        child = multiprocessing.get_context("fork").Process(
            target=_render_child, args=(send, fig, self.dpi), daemon=True
        )
        with warnings.catch_warnings():
            # the report's process runs polars threads; the child uses none of them
            warnings.filterwarnings("ignore", ".*multi-threaded.*fork", DeprecationWarning)
            child.start()
        send.close()
        plt.close(fig)
        self._running[receive] = (name, child)

    def _collect(self, *, block: bool) -> None:
        ready = wait(list(self._running), timeout=None if block else 0)
        for conn in ready:
            name, child = self._running.pop(conn)  # type: ignore[call-overload]
            try:
                status, payload = conn.recv()
            except EOFError:
                child.join()
                status, payload = "error", f"its process stopped (exit code {child.exitcode})"
            finally:
                conn.close()
            child.join()
            if status != "ok":
                raise RuntimeError(f"figure {name}: {payload}")
            self._done[name] = payload

    def results(self) -> dict[str, FigureFiles]:
        """Every submitted figure's files, once all are rendered."""
        try:
            while self._running:
                self._collect(block=True)
        finally:
            self.close()
        return dict(self._done)

    def close(self) -> None:
        """Stop the children still running (their figures are dropped)."""
        for conn, (_name, child) in self._running.items():
            child.terminate()
            child.join()
            conn.close()
        self._running = {}
