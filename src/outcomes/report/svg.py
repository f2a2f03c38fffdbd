"""The SVG files of the report's figures: matplotlib's SVG backend, with markers written faster.

matplotlib's SVG renderer writes every marker of a line as a ``<use>`` element and computes the
element's style again for each one, although every marker of a line has the same style. A
censor mark per censored subject makes that the largest cost of a time-to-event figure with
tens of thousands of subjects. :class:`RendererMarkersSVG` computes the style once per line
and writes the same bytes. ``savefig(..., format="svg", backend=BACKEND)`` selects it.
"""

from __future__ import annotations

import codecs
from typing import Any

from matplotlib import cbook
from matplotlib.backends import backend_svg
from matplotlib.backends.backend_mixed import MixedModeRenderer

#: The ``backend`` argument of ``Figure.savefig`` that writes SVG with this module.
BACKEND = "module://outcomes.report.svg"


class RendererMarkersSVG(backend_svg.RendererSVG):
    """matplotlib's SVG renderer; the style of a line's markers is computed once per line."""

    def draw_markers(
        self,
        gc: Any,
        marker_path: Any,
        marker_trans: Any,
        path: Any,
        trans: Any,
        rgbFace: Any = None,
    ) -> None:
        """Draw the markers as matplotlib does, with the style of every marker computed once:
        ``gc`` and ``rgbFace`` are the same for each marker of the call."""
        style = self._get_style(gc, rgbFace)
        self._get_style = lambda _gc, _face: style  # type: ignore[method-assign]
        try:
            super().draw_markers(gc, marker_path, marker_trans, path, trans, rgbFace)
        finally:
            del self._get_style


class FigureCanvasReportSVG(backend_svg.FigureCanvasSVG):
    """matplotlib's SVG canvas drawing with :class:`RendererMarkersSVG`."""

    def print_svg(
        self,
        filename: Any,
        *,
        bbox_inches_restore: Any = None,
        metadata: Any = None,
        **_ignored: Any,
    ) -> None:
        """Write the figure as SVG: matplotlib's ``FigureCanvasSVG.print_svg`` with the
        renderer above. ``savefig`` also passes ``dpi``, ``facecolor``, ``edgecolor`` and
        ``orientation``, which matplotlib drops for its own SVG canvas: ignored here too."""
        with cbook.open_file_cm(filename, "w", encoding="utf-8") as fh:
            if not cbook.file_requires_unicode(fh):
                fh = codecs.getwriter("utf-8")(fh)
            dpi = self.figure.dpi
            self.figure.dpi = 72
            width, height = self.figure.get_size_inches()
            w, h = width * 72, height * 72
            renderer = MixedModeRenderer(
                self.figure,
                width,
                height,
                dpi,
                RendererMarkersSVG(w, h, fh, image_dpi=dpi, metadata=metadata),
                bbox_inches_restore=bbox_inches_restore,
            )
            self.figure.draw(renderer)
            renderer.finalize()


#: The canvas matplotlib loads for :data:`BACKEND`.
FigureCanvas = FigureCanvasReportSVG
