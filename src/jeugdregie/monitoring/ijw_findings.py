"""The official iJw rules reported as data-quality findings (``jeugdregie.rules.ijw_findings``:
TR318, TR321, TR322, TR387/388, TR389) and the reused message identifications (TR056, from the
quarantine), read from the database for one year. Part of the data-quality report.

Only accepted claim lines are read (a line a JW325 rejected is out, as in every amount), and
only allocations that were not deleted. Clients appear by a shortened pseudonym only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Max, Min, Q
from django.utils import timezone

from jeugdregie.ijw import messages as m
from jeugdregie.ijw.models import QuarantaineItem
from jeugdregie.ijw.reader import read_bytes
from jeugdregie.ijw.trrules import RULES
from jeugdregie.rules import ijw_findings as rules
from jeugdregie.rules.kpi import year
from jeugdregie.zorg.models import Declaratie, DeclaratieRegel, Toewijzing

from .facts import derived, product_index, shared
from .finding_rows import Names, check_rows, chunks

TR056_RULES = ("message.identification_reused", "message.identification_taken")


def _allocations(rows, products: dict) -> dict[int, rules.Allocation]:
    found = {}
    for pk, client, gem, agb, product_id, begin, end, volume, unit, freq, started, stopped in rows.annotate(
        zs=Min("starts__begindatum"), ze=Max("stops__einddatum")
    ).values_list(
        "pk",
        "client__pseudoniem",
        "gemeente__cbs_code",
        "aanbieder__agb_code",
        "product_id",
        "ingangsdatum",
        "einddatum",
        "volume",
        "eenheid",
        "frequentie",
        "zs",
        "ze",
    ):
        found[pk] = rules.Allocation(
            pk,
            client,
            gem,
            agb,
            products.get(product_id, ("", "", ""))[2],
            begin,
            end,
            volume,
            unit,
            freq,
            started,
            stopped,
        )
    return found


LINE_FIELDS = (
    "pk",
    "toewijzing_id",
    "client__pseudoniem",
    "gemeente__cbs_code",
    "aanbieder__agb_code",
    "product_id",
    "periode_begin",
    "periode_eind",
    "eenheid",
    "volume",
    "bedrag_cent",
    "debet_credit",
    "referentienummer",
    "vorig_referentienummer",
    "product__categorie",
    "product__code",
    "declaratie__dagtekening",
)


def load_rule_input(jaar: int) -> rules.RuleInput:
    """The accepted claim lines with a ProductPeriode in `jaar`, every accepted line of the
    allocations with a total Omvang claimed in it (TR322 sums over all of them), the allocations
    they are on and those valid in and around the year (TR318), and the declaration periods from
    a year before to a year after."""
    begin, end = dt.date(jaar, 1, 1), dt.date(jaar, 12, 31)
    products = product_index()
    accepted = DeclaratieRegel.objects.filter(afgewezen=False)
    in_year = accepted.filter(periode_begin__range=(begin, end))
    totals = Toewijzing.objects.filter(
        frequentie=rules.TOTAL, verwijderd=False, declaratieregels__in=in_year
    ).distinct()
    lines_q = accepted.filter(Q(periode_begin__range=(begin, end)) | Q(toewijzing__in=totals))
    lines = []
    for pk, t, client, gem, agb, product_id, *dates_to_refs, cat, code, sent in lines_q.values_list(
        *LINE_FIELDS
    ).iterator(chunk_size=5000):
        # dates_to_refs: ProductPeriode begin and end, unit, volume, amount, D/C, reference, previous
        shown = products.get(product_id, ("", "", ""))[2]
        lines.append(
            rules.ClaimLine(pk, t, client, gem, agb, shown, *dates_to_refs, cat or "", code or "", sent)
        )
    margin = dt.timedelta(days=31)
    window = Toewijzing.objects.filter(verwijderd=False, ingangsdatum__lte=end + margin).exclude(
        einddatum__lt=begin - margin
    )
    allocations = _allocations(window, products)
    missing = sorted({ln.toewijzing for ln in lines} - set(allocations))
    for chunk in chunks(missing):
        allocations.update(_allocations(Toewijzing.objects.filter(pk__in=chunk, verwijderd=False), products))
    periods = [
        rules.ClaimPeriod(agb, gem, pb, pe)
        for agb, gem, pb, pe in Declaratie.objects.filter(
            periode_eind__gte=dt.date(jaar - 1, 1, 1), periode_begin__lte=dt.date(jaar + 1, 12, 31)
        ).values_list("aanbieder__agb_code", "gemeente__cbs_code", "periode_begin", "periode_eind")
    ]
    return rules.RuleInput(lines=lines, allocations=allocations, claim_periods=periods)


def _reused_identifications(jaar: int, gemeente: str | None, aanbieder: str | None) -> list[dict[str, Any]]:
    """TR056: quarantined messages whose identification the sender had used for another message,
    by the Dagtekening of the message in `jaar` (read from its redacted payload)."""
    found: list[dict[str, Any]] = []
    # Each payload is parsed once inside `shared_facts()` (every party's report filters the same).
    for day, gem, agb, uitleg in shared(("tr056 items",), _quarantined_reuses):
        if day.year != jaar:
            continue
        if (gemeente and gem != gemeente) or (aanbieder and agb != aanbieder):
            continue
        found.append(
            {
                "gemeente": gem,
                "aanbieder": agb,
                "client": "",
                "toewijzing": None,
                "toewijzingen": [],
                "product": "",
                "begin": day.isoformat(),
                "eind": day.isoformat(),
                "bedrag_cent": 0,
                "uitleg": uitleg,
            }
        )
    return found


def _quarantined_reuses() -> list[tuple[dt.date, str, str, str]]:
    """(day, municipality, provider, explanation) of every TR056 item in the quarantine, oldest first."""
    found: list[tuple[dt.date, str, str, str]] = []
    for item in QuarantaineItem.objects.filter(regel__in=TR056_RULES).order_by("aangemaakt_op", "pk"):
        results = list(read_bytes(bytes(item.payload), item.bestandsnaam))
        message = results[0].message if len(results) == 1 else None
        by_gemeente = item.soort in m.SENT_BY_GEMEENTE
        if message is not None:  # the message's own date and parties
            header = message.header
            day, ident = header.dagtekening, header.identificatie
            gem, agb = (
                (header.afzender, header.ontvanger) if by_gemeente else (header.ontvanger, header.afzender)
            )
        else:  # unreadable payload: what the item kept
            day, ident = timezone.localdate(item.aangemaakt_op), item.bericht_identificatie
            gem, agb = (item.afzender, "") if by_gemeente else ("", item.afzender)
        uitleg = (
            f"{item.soort} {ident} in {item.bestandsnaam}: {item.melding} "
            f"(quarantaine, status {item.get_status_display().lower()})."
        )
        found.append((day, gem, agb, uitleg))
    return found


def ijw_rule_checks(
    jaar: int,
    *,
    gemeente: str | None = None,
    aanbieder: str | None = None,
    names: Names | None = None,
) -> list[dict[str, Any]]:
    """Per rule check: id, tr, retourcode, label, severity, definition, count, clients, amount and
    findings (the shape of the data-quality checks, JSON-ready). `names` = (municipality names,
    provider names, allocation-number lookup) from the caller."""
    data = shared(("ijw rule input", jaar), lambda: load_rule_input(jaar))
    results = rules.run_rules(
        data,
        year(jaar),
        gemeente=gemeente,
        aanbieder=aanbieder,
        # inside `shared_facts()` each rule runs once for the region and every party in turn
        memo=derived(data).setdefault("ijw rule findings", {}),
    )
    gemeente_names, provider_names, numbers_of = names or ({}, {}, lambda ids: {})
    checks = check_rows(
        (
            (
                {
                    "id": r.check.id,
                    "tr": r.check.tr,
                    "retourcode": r.check.retourcode,
                    "label": r.check.label,
                    "severity": r.check.severity,
                    "definition": r.check.definition,
                },
                r,
                r.clients,
            )
            for r in results
        ),
        (gemeente_names, provider_names, numbers_of),
    )
    reused = _reused_identifications(jaar, gemeente, aanbieder)
    for f in reused:
        f.update(
            gemeente_naam=gemeente_names.get(f["gemeente"], ""),
            aanbieder_naam=provider_names.get(f["aanbieder"], ""),
            toewijzingnummers=[],
        )
    checks.append(
        {
            "id": "tr056_reused_id",
            "tr": "TR056",
            "retourcode": RULES["TR056"].retourcode,
            "label": "Berichtidentificatie hergebruikt voor een ander bericht",
            "severity": "middel",
            "definition": "Berichten die niet zijn verwerkt omdat de afzender de BerichtIdentificatie al voor een "
            "ander bericht had gebruikt (ander type, andere ontvanger of dagtekening, of andere inhoud). Ze staan "
            "in de quarantaine; hetzelfde bericht opnieuw aanleveren is geen bevinding. Jaar: dagtekening van het "
            "bericht.",
            "count": len(reused),
            "clients": None,  # about messages, not clients: no small-number suppression
            "bedrag_cent": 0,
            "findings": reused,
        }
    )
    return checks
