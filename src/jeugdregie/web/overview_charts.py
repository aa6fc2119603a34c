"""The overview's charts drawn with matplotlib (jeugdregie.web.charting): spend and clients per
month against last year, the ceiling burn-up with forecast and band, and the cost-growth waterfall.
Each returns a figure; the view renders it as SVG or PNG."""

from __future__ import annotations

import math
import textwrap

from .charting import BLUE, GREEN, GREY, LIGHT_BLUE, ORANGE, RED, dutch, euro_compact, figure, integer_locator
from .overview_data import MONTHS, BurnUp, GrowthTable, Monthly

WIDTH = 7.2  # inches; NARROW for phones (the page asks for it below 40rem)
NARROW = 4.2


def _euro_axis(ax, fmt) -> None:
    """Euro ticks in one unit per axis: all in millions once the axis reaches EUR 1 mln ('€ 0,5 mln'
    beside '€ 1,0 mln', not '€ 500.000'), else whole euros."""

    def label(value: float, _pos) -> str:
        if abs(value) < 0.5:
            return "€ 0"
        if max(abs(v) for v in ax.get_ylim()) < 100_000_000:
            return euro_compact(value)
        ticks = list(ax.yaxis.get_majorticklocs())
        step = min((abs(b - a) for a, b in zip(ticks, ticks[1:], strict=False)), default=10_000_000)
        millions = step / 100_000_000
        decimals = next((d for d in (1, 2) if abs(millions * 10**d - round(millions * 10**d)) < 1e-6), 3)
        sign = "-" if value < 0 else ""
        return f"{sign}€ {dutch(abs(value) / 100_000_000, decimals)} mln"

    ax.yaxis.set_major_formatter(fmt(label))


def _nan(values):
    return [math.nan if v is None else v for v in values]


def _month_ticks(width: float) -> list[str]:
    """Month names, on a narrow chart every other one left blank."""
    return list(MONTHS) if width >= WIDTH else [m if i % 2 == 0 else "" for i, m in enumerate(MONTHS)]


def _empty(ax, text: str) -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color="#555")
    ax.set_xticks([])
    ax.set_yticks([])


def spend_figure(data: Monthly, year: int, subject: str, width: float = WIDTH):
    fig, ax, fmt = figure(width, 3.0)
    ax.set_title(f"Kosten per maand, {subject}", loc="left")
    # Nothing to draw but zeros and hidden months (e.g. a year hidden beside an empty year before
    # it): a message, not an axis of '€ 0' ticks.
    if not any(v for v in data.spend + data.spend_previous):
        _empty(ax, "Niet getoond: minder dan 5 cliënten in een maand" if data.hidden else "Geen gegevens")
        return fig
    x = range(12)
    bar = 0.4
    ax.bar([i - bar / 2 for i in x], _nan(data.spend_previous), bar, color=GREY, label=str(year - 1))
    done = [v if not data.incomplete[i] else None for i, v in enumerate(data.spend)]
    ax.bar([i + bar / 2 for i in x], _nan(done), bar, color=BLUE, label=str(year))
    if any(data.incomplete):
        rest = [v if data.incomplete[i] else None for i, v in enumerate(data.spend)]
        ax.bar(
            [i + bar / 2 for i in x],
            _nan(rest),
            bar,
            color=LIGHT_BLUE,
            edgecolor=BLUE,
            hatch="//",
            label=f"{year}, nog niet compleet",
        )
    ax.set_xticks(list(x), _month_ticks(width))
    ax.set_xlabel("Maand van de zorg (productperiode)")
    ax.set_ylabel("Gedeclareerd (netto)")
    _euro_axis(ax, fmt)
    ax.legend(frameon=False, ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.22))
    return fig


def clients_figure(data: Monthly, year: int, subject: str, width: float = WIDTH):
    fig, ax, fmt = figure(width, 2.8)
    ax.set_title(f"Cliënten met declaratie per maand, {subject}", loc="left")
    if all(v is None for v in data.clients + data.clients_previous):
        _empty(ax, "Niet getoond: minder dan 5 cliënten" if data.hidden else "Geen gegevens")
        return fig
    ax.plot(range(12), _nan(data.clients_previous), marker="s", color=GREY, label=str(year - 1))
    ax.plot(range(12), _nan(data.clients), marker="o", color=BLUE, label=str(year))
    if any(data.incomplete):
        ax.plot(
            [i for i in range(12) if data.incomplete[i]],
            _nan([v for i, v in enumerate(data.clients) if data.incomplete[i]]),
            "o",
            markerfacecolor="white",
            markeredgecolor=BLUE,
            label=f"{year}, nog niet compleet",
        )
    ax.set_xticks(range(12), _month_ticks(width))
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_locator(integer_locator())
    ax.yaxis.set_major_formatter(fmt(lambda v, _: dutch(v)))
    ax.set_xlabel("Maand van de zorg (productperiode)")
    ax.set_ylabel("Cliënten")
    ax.legend(frameon=False, ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.25))
    return fig


def burnup_figure(b: BurnUp | None, message: str = "Geen plafond gekozen", width: float = WIDTH):
    fig, ax, fmt = figure(width, 3.2)
    if b is None:
        ax.set_title("Plafondverbruik", loc="left")
        _empty(ax, message)
        return fig
    ax.set_title(textwrap.fill(f"Plafondverbruik {b.as_of.year}: {b.naam}", int(width * 10)), loc="left")
    x = list(range(1, 13))
    ax.plot(x, _nan(b.cumulative), marker="o", color=BLUE, label="Gedeclareerd (cumulatief)")
    last = max((m for m, v in zip(x, b.cumulative, strict=True) if v is not None), default=None)
    if b.forecast_cent is not None and last is not None:
        start = b.cumulative[last - 1] or 0
        months = list(range(last, 13))
        step = (b.forecast_cent - start) / max(1, 12 - last)
        ax.plot(
            months, [start + step * (m - last) for m in months], "--", color=BLUE, label="Prognose jaareinde"
        )
        if b.low_cent is not None and b.high_cent is not None:
            low = (b.low_cent - start) / max(1, 12 - last)
            high = (b.high_cent - start) / max(1, 12 - last)
            ax.fill_between(
                months,
                [start + low * (m - last) for m in months],
                [start + high * (m - last) for m in months],
                color=LIGHT_BLUE,
                alpha=0.7,
                label="Bandbreedte prognose",
            )
    if b.ceiling_cent:
        label = "Budget" if b.key.startswith("gemeente:") else "Plafond"
        ax.axhline(b.ceiling_cent, color=ORANGE, linewidth=2, label=label)
    ax.set_xticks(x, _month_ticks(width))
    ax.set_xlim(0.7, 12.3)
    ax.set_ylim(bottom=0)
    ax.set_xlabel(f"Maand van de zorg; peildatum {b.as_of:%d-%m-%Y}")
    ax.set_ylabel("Cumulatief")
    _euro_axis(ax, fmt)
    ax.legend(frameon=False, ncol=2, loc="upper center", bbox_to_anchor=(0.5, -0.22), fontsize=8)
    return fig


def growth_figure(table: GrowthTable, year: int, months: str, width: float = WIDTH):
    """Waterfall: last year's spend, the three parts, this year's spend."""
    fig, ax, fmt = figure(width, 3.2)
    ax.set_title(f"Kostengroei {months} {year} t.o.v. {year - 1}", loc="left")
    g = table.total
    if g is None:
        _empty(ax, "Niet getoond: minder dan 5 cliënten")
        return fig
    labels = [
        f"{months}\n{year - 1}",
        "Meer\ncliënten",
        "Meer zorg\nper cliënt",
        "Hogere\ntarieven",
        f"{months}\n{year}",
    ]
    bottoms, heights, colours = [0.0], [float(g.previous_cent)], [GREY]
    level = float(g.previous_cent)
    for part in g.parts:
        bottoms.append(level if part >= 0 else level + part)
        heights.append(abs(part))
        colours.append(RED if part > 0 else GREEN)
        level += part
    bottoms.append(0.0)
    heights.append(float(g.current_cent))
    colours.append(BLUE)
    bars = ax.bar(range(5), heights, 0.6, bottom=bottoms, color=colours)
    texts = [euro_compact(g.previous_cent)] + [euro_compact(p, signed=True) for p in g.parts]
    texts.append(euro_compact(g.current_cent))
    narrow = width < WIDTH
    for bar, text in zip(bars, texts, strict=True):
        ax.annotate(
            text.replace(" mln", "\nmln").replace(" mld", "\nmld") if narrow else text,
            (bar.get_x() + bar.get_width() / 2, bar.get_y() + bar.get_height()),
            ha="center",
            va="bottom",
            fontsize=7 if narrow else 8,
            xytext=(0, 2),
            textcoords="offset points",
        )
    ax.set_xticks(range(5), labels)
    top = max(b + h for b, h in zip(bottoms, heights, strict=True))
    # The parts are small beside the totals: the axis starts just below the lowest running level
    # (said on the axis), so that the steps can be read.
    low = min(g.previous_cent, g.current_cent, *bottoms[1:4])
    floor = max(0.0, low - 1.5 * (top - low)) if top > low else 0.0
    ax.set_ylim(floor, top + 0.15 * (top - floor) if top > floor else 1)
    _euro_axis(ax, fmt)
    ax.set_ylabel("Gedeclareerd (netto)" + ("\nas begint niet bij € 0" if floor > 0 else ""))
    return fig
