"""Shared matplotlib plumbing for server-drawn charts (the tertiaalrapportage and the overview):
the Agg backend with the house style, Dutch number formats on axes, and a figure rendered to SVG
or PNG bytes. No JavaScript and no CDN: the browser gets an image."""

from __future__ import annotations

import io
import threading

BLUE, GREY, ORANGE, LIGHT_BLUE, GREEN, RED = "#154273", "#9e9e9e", "#ef6c00", "#c5d3e6", "#2e7d32", "#c62828"
CONTENT_TYPES = {"svg": "image/svg+xml", "png": "image/png"}


def dutch(value: float, decimals: int = 0) -> str:
    """1234567.891 -> '1.234.567,9' (decimals=1)."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def euro_compact(cents: float, signed: bool = False) -> str:
    """Readable euro amounts: '€ 1,2 mln', '€ 12,5 mld', '€ 350.125', '€ 0'."""
    euros = cents / 100
    sign = "-" if euros < 0 else ("+" if signed and euros > 0 else "")
    size = abs(euros)
    if size >= 1e9:
        text = dutch(size / 1e9, 1) + " mld"
    elif size >= 1e6:
        text = dutch(size / 1e6, 1) + " mln"
    else:
        text = dutch(size)
    return f"{sign}€ {text}"


_lock = threading.RLock()  # matplotlib's import and its global state are not thread-safe
STYLE = {"font.size": 9, "svg.fonttype": "none", "axes.spines.top": False, "axes.spines.right": False}


def _matplotlib():
    with _lock:
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib.figure import Figure
        from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: F401 (imported under the lock)

        matplotlib.rcParams.update(STYLE)
    return Figure, FuncFormatter


def integer_locator():
    """matplotlib's MaxNLocator for whole numbers (imported under the lock)."""
    _matplotlib()
    from matplotlib.ticker import MaxNLocator

    return MaxNLocator(integer=True)


def figure(width: float, height: float):
    """A figure with one axes, outside pyplot (no global figure registry, so concurrent requests
    do not share state), and FuncFormatter: (fig, ax, FuncFormatter)."""
    figure_class, formatter = _matplotlib()
    fig = figure_class(figsize=(width, height))
    return fig, fig.subplots(), formatter


def pyplot():
    """matplotlib.pyplot on the Agg backend with the house style, and FuncFormatter."""
    _figure, formatter = _matplotlib()
    with _lock:
        import matplotlib.pyplot as plt
    return plt, formatter


def render(fig, fmt: str = "svg") -> bytes:
    """The figure as SVG or PNG bytes (a pyplot figure is closed)."""
    if fmt not in CONTENT_TYPES:
        raise ValueError(f"Onbekend formaat: {fmt}")
    buffer = io.BytesIO()
    kwargs = {"dpi": 150} if fmt == "png" else {"metadata": {"Date": None}}
    with _lock:
        fig.savefig(buffer, format=fmt, bbox_inches="tight", pad_inches=0.2, **kwargs)
        if getattr(fig.canvas, "manager", None) is not None:
            import matplotlib.pyplot as plt

            plt.close(fig)
    return buffer.getvalue()
