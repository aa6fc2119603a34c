"""Open-house admission (SYSTEM.md section 13; seed 000 ch. 8, seed 002 section 4.2): applications
only inside an admission window of their category, a criteria checklist per category, and a
decision with reasons: admitted only when every criterion is met, refused with a reason that names
what was not met (equal treatment, Algemene Beginselen van Behoorlijk Bestuur)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Window:
    categorie: str
    opens: dt.date
    closes: dt.date  # inclusive


def open_window(windows: Sequence[Window], categorie: str, day: dt.date) -> Window | None:
    """The window of `categorie` that is open on `day` (the first and last day included)."""
    for window in sorted(windows, key=lambda w: w.opens):
        if window.categorie == categorie and window.opens <= day <= window.closes:
            return window
    return None


def next_window(windows: Sequence[Window], categorie: str, day: dt.date) -> Window | None:
    later = [w for w in windows if w.categorie == categorie and w.opens > day]
    return min(later, key=lambda w: w.opens) if later else None


def application_errors(windows: Sequence[Window], categorie: str, submitted: dt.date) -> list[str]:
    if open_window(windows, categorie, submitted):
        return []
    following = next_window(windows, categorie, submitted)
    when = (
        f" Het volgende toetredingsmoment voor categorie {categorie} loopt van "
        f"{following.opens:%d-%m-%Y} tot en met {following.closes:%d-%m-%Y}."
        if following
        else f" Er is nog geen volgend toetredingsmoment voor categorie {categorie} vastgesteld."
    )
    return [f"Op {submitted:%d-%m-%Y} is er geen toetredingsmoment open voor categorie {categorie}.{when}"]


def decision_errors(outcome: str, checklist: Sequence[tuple[str, bool | None]], reason: str) -> list[str]:
    """`checklist`: (criterion, met: True / False / None = not assessed). Admission needs every
    criterion assessed and met; a refusal needs a reason and at least one criterion not met, so
    that no application is refused while it meets every requirement."""
    errors = []
    open_items = [name for name, met in checklist if met is None]
    failed = [name for name, met in checklist if met is False]
    if not reason.strip():
        errors.append("Geef de motivering van het besluit.")
    if outcome == "toegelaten":
        if open_items:
            errors.append("Nog niet beoordeeld: " + "; ".join(open_items) + ".")
        if failed:
            errors.append(
                "Toelaten kan alleen als aan alle criteria is voldaan; niet voldaan: "
                + "; ".join(failed)
                + "."
            )
    elif outcome == "afgewezen":
        if open_items:
            errors.append("Beoordeel eerst alle criteria: " + "; ".join(open_items) + ".")
        elif not failed:
            errors.append("Afwijzen kan niet als aan alle criteria is voldaan (gelijke behandeling).")
    else:
        errors.append("Kies toelaten of afwijzen.")
    return errors
