"""The report as HTML and as PDF (WeasyPrint, imported here only, so the rest of the application
works on a machine without pango)."""

from __future__ import annotations

import datetime as dt

from django.template.loader import render_to_string

from .data import Report


def report_html(report: Report) -> str:
    return render_to_string("rapportage/pdf.html", {"r": report, "gemaakt": dt.date.today()})


def report_pdf(report: Report) -> bytes:
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as error:  # OSError: pango missing
        raise RuntimeError(f"PDF maken kan hier niet: WeasyPrint is niet bruikbaar ({error}).") from error
    return HTML(string=report_html(report)).write_pdf()
