"""Charts of the tertiaalrapportage: matplotlib (Agg) drawn to SVG and embedded as data URIs, with
labelled axes and Dutch number formats (thousands dot, decimal comma)."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING

from jeugdregie.web.charting import BLUE, GREY, ORANGE, dutch, render
from jeugdregie.web.charting import pyplot as _pyplot

if TYPE_CHECKING:
    from .data import Report

_dutch = dutch


def _svg(fig) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(render(fig, "svg")).decode()


def spend_chart(report: Report) -> str | None:
    rows = report.trend
    if not any(r["spend"] is not None for r in rows):
        return None
    plt, fmt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 2.8))
    labels = [r["label"] for r in rows]
    own = [(r["spend"] or 0) / 100_000 for r in rows]  # thousands of euros
    x = range(len(rows))
    if report.gemeente:
        width = 0.4
        ax.bar([i - width / 2 for i in x], own, width, color=BLUE, label=report.gemeente.naam)
        ax2 = ax.twinx()
        ax2.bar(
            [i + width / 2 for i in x],
            [(r["region_spend"] or 0) / 100_000 for r in rows],
            width,
            color=GREY,
            label="Regio (rechteras)",
        )
        ax2.set_ylabel("Regio (x EUR 1.000)")
        ax2.yaxis.set_major_formatter(fmt(lambda v, _: _dutch(v)))
        ax2.spines["right"].set_visible(True)
        fig.legend(loc="upper center", bbox_to_anchor=(0.5, -0.05), ncol=2, frameon=False)
    else:
        from matplotlib.patches import Patch

        ax.bar(
            list(x),
            own,
            0.6,
            color=[GREY if r["label"].startswith(str(report.year - 1)) else BLUE for r in rows],
        )
        ax.legend(
            handles=[
                Patch(color=GREY, label=str(report.year - 1)),
                Patch(color=BLUE, label=str(report.year)),
            ],
            loc="upper center",
            bbox_to_anchor=(0.5, -0.22),
            ncol=2,
            frameon=False,
        )
    ax.set_xticks(list(x), labels)
    ax.set_xlabel("Tertiaal (productperiode)")
    ax.set_ylabel("Kosten (x EUR 1.000)")
    ax.yaxis.set_major_formatter(fmt(lambda v, _: _dutch(v)))
    ax.set_title(f"Kosten per tertiaal, {report.subject}", loc="left")
    return _svg(fig)


def clients_chart(report: Report) -> str | None:
    rows = report.trend
    if not any(r["clients"] is not None for r in rows):
        return None
    from matplotlib.ticker import MaxNLocator

    plt, fmt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 2.6))
    labels = [r["label"] for r in rows]
    values = [r["clients"] for r in rows]
    ax.plot(
        labels,
        [v if v is not None else float("nan") for v in values],
        marker="o",
        color=BLUE,
        label=report.subject,
    )
    top = max(v for v in values if v is not None)
    if report.gemeente:
        ax2 = ax.twinx()
        region = [r["region_clients"] or float("nan") for r in rows]
        ax2.plot(labels, region, marker="s", color=GREY, label="Regio (rechteras)")
        ax2.set_ylabel("Cliënten regio")
        ax2.yaxis.set_major_locator(MaxNLocator(integer=True))
        # The region's line lower than the municipality's: two lines on their own axes that would
        # otherwise lie on top of each other (a municipality's share hardly moves).
        region_top = max((v for v in region if v == v), default=0)
        ax2.set_ylim(0, region_top * 1.6 or 1)
        ax2.yaxis.set_major_formatter(fmt(lambda v, _: _dutch(v)))
        ax2.spines["right"].set_visible(True)
        fig.legend(loc="upper center", bbox_to_anchor=(0.5, -0.05), ncol=2, frameon=False)
    ax.set_xlabel("Tertiaal (productperiode)")
    ax.set_ylabel("Cliënten met declaratie")
    ax.yaxis.set_major_formatter(fmt(lambda v, _: _dutch(v)))
    ax.set_ylim(0, top * 1.15 or 1)  # room above the highest point: no marker on the frame
    ax.margins(x=0.05)  # the first tertial's label clear of the y axis
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(f"Cliënten per tertiaal, {report.subject}", loc="left")
    return _svg(fig)


def ceiling_chart(report: Report) -> str | None:
    c = (report.ceiling or {}).get("own")
    if not c:
        return None
    plt, fmt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 1.4))
    scale = 100_000_000  # millions of euros
    claimed, forecast = c["claimed"] / scale, c["forecast"] / scale
    ax.barh([0], [forecast], color="#c5d3e6", height=0.5, label="Prognose jaareinde")
    ax.barh([0], [claimed], color=BLUE, height=0.5, label="Gedeclareerd tot peildatum")
    if c["low"] is not None and c["high"] is not None:
        ax.errorbar(
            [forecast],
            [0],
            xerr=[[forecast - c["low"] / scale], [c["high"] / scale - forecast]],
            fmt="none",
            ecolor="#333",
            capsize=6,
            label="Bandbreedte prognose",
        )
    if c["ceiling"]:
        ax.axvline(c["ceiling"] / scale, color=ORANGE, linewidth=2, label="Plafond / budget")
    ax.set_yticks([])
    ax.set_xlabel("EUR miljoen (jaar " + str(report.year) + ")")
    ax.xaxis.set_major_formatter(fmt(lambda v, _: _dutch(v, 2)))
    ax.set_xlim(left=0)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.55), ncol=2, frameon=False, fontsize=8)
    ax.set_title(f"Plafondgebruik en prognose op {report.as_of:%d-%m-%Y}", loc="left")
    return _svg(fig)


def report_charts(report: Report) -> dict[str, str]:
    found = {
        "kosten": spend_chart(report),
        "clienten": clients_chart(report),
        "plafond": ceiling_chart(report),
    }
    return {k: v for k, v in found.items() if v}
