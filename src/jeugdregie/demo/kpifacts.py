"""Reads generated demo output (zip archives of iJw XML) straight into the KPI facts
(``jeugdregie.rules.kpi.Facts``), without a database.

The result is what ``jeugdregie.monitoring.facts.load_facts`` returns after ``jeugdregie ingest``
of the same files, so the demo's calibration patterns are checked with the product's own KPI
registry, and a benchmark can compute KPIs on a large run without ingesting it first. The
end-to-end test (tests/demo/test_demo_end_to_end.py) holds the two equal.

What the ingest does, and so what this module does too:

- messages are read in the ingest's order: archives by name, entries by name within an archive;
  allocation ids count in the order the allocations were first seen (the database's primary keys);
- a message for a municipality outside the region is refused; an unreadable one too;
- JW301: a later version of the same (gemeente, ToewijzingNummer) overwrites every field but the
  Toewijzingsdatum (the earliest is kept), and a deleted allocation (RedenWijziging 13) stays
  deleted; deleted allocations are no facts;
- JW315: the request per (aanbieder, ReferentieAanbieder), the last one read wins; an allocation
  is linked to it by the first ReferentieAanbieder its JW301 versions carry (a later change
  granting a JW317 names that request's, which does not replace it);
- JW305 / JW307: StatusAanlevering 3 withdraws the earlier start/stop with the same begindatum;
  a message breaking TR063 (withdrawing what was not delivered), TR071 (withdrawing a start after
  a stop), TR074 (delivering a start/stop with the same begindatum again) or TR326 (a new start
  while one runs without a stop) is refused;
  a start/stop for an allocation not known yet waits, as a quarantined message is retried at
  the end of the ingest; one of another provider or client is refused;
- JW325: the lines a claim answer rejects (a rejecting return code) are no accepted claims: they
  are left out of the claims and of the allocation's claimed volume, and make the rejected claims;
- JW317 / JW319: a change request with the first product it names (an allocation to change, with
  ``verlenging`` when the wished end is later than the allocation's end then, else the new
  product); its outcome as ``zorg.requests.request_outcomes`` decides it: granted by the first
  JW301 version carrying its ReferentieAanbieder, refused by a JW319 with answer 1 (a grant on or
  before the refusal's day wins), else "in onderzoek" (a JW319 with answer 2) or open;
- JW323: a line is checked against the allocation as the claim checks do (client, provider,
  product; debits not on a deleted allocation and inside its validity; a credit reverses a known
  debit); a line on an allocation or debit not known yet waits until the end like the ingest's
  retry; amounts and volumes are signed; the line takes the allocation's client and product;
- products are reported as their product in the new book (segment, group, code), with the
  claimed product's own meerwerk/maatwerk flag and funding form (``monitoring.facts.product_index``);
- ``as_of`` defaults to the newest Dagtekening of the messages taken in (``data_complete_until``).

Not reproduced (the generator never produces them): repeated files or messages (the ingest skips
them by SHA-256 / BerichtIdentificatie) and a product code that exists in more than one book.
Clients are identified by their BSN, not the ingest's keyed pseudonym: the KPIs only compare them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

from jeugdregie.ijw.messages import (
    AntwoordVerzoek,
    Declaratie,
    DeclaratieAntwoord,
    Prestatie,
    StartProduct,
    StartZorg,
    StopProduct,
    StopZorg,
    Toewijzing,
    VerzoekOmToewijzing,
    VerzoekOmWijziging,
)
from jeugdregie.ijw.reader import read_message
from jeugdregie.rules.carepaths import AllocationFact
from jeugdregie.rules.kpi import ClaimFact, Facts
from jeugdregie.rules.kpi_answers import ChangeRequestFact

from . import region
from .xmlfacts import iter_entries

# (segment, group, product code in the current book, meerwerk/maatwerk, P x Q): as product_index.
ProductKey = tuple[str, str, str, str, bool]
NO_PRODUCT: ProductKey = ("", "", "", "", False)
KINDS = ("JW301", "JW305", "JW307", "JW315", "JW317", "JW319", "JW323", "JW325")
# A provider the region does not know is registered by the ingest as non-contracted (NGA), category C.
UNKNOWN_PROVIDER = ("C", True)


def successor_index() -> dict[str, str]:
    """product code -> code of its book successor, as ``monitoring.facts.successor_index``."""
    return {p.code: p.nieuw for boek in region.BOEKEN for p in boek.producten if p.nieuw}


def product_index() -> dict[tuple[str, str], ProductKey]:
    """(productcategorie, productcode) -> what ``monitoring.facts.product_index`` gives for the
    product the ingest finds under that key, from the demo region's product books."""
    specs = {p.code: p for boek in region.BOEKEN for p in boek.producten}
    index = {}
    for p in specs.values():
        current = specs[p.nieuw] if p.nieuw else p
        segment = region.GROEPEN[current.groep][0] or ""
        index[(p.categorie, p.code)] = (
            segment,
            current.groep,
            current.code,
            p.meerwerk_maatwerk,
            p.bekostigingsvorm == "inspanning",
        )
    return index


class _Allocation:
    """The stored state of one allocation (the ingest's Toewijzing row and its starts/stops)."""

    __slots__ = (
        "id",
        "client",
        "aanbieder",
        "product",
        "product_code",
        "product_categorie",
        "toewijzingsdatum",
        "ingangsdatum",
        "einddatum",
        "volume",
        "frequentie",
        "referentie",
        "deleted",
        "claimed",
        "starts",
        "stops",
    )
    # set by every JW301 version
    client: str
    aanbieder: str
    product: ProductKey | None
    product_code: str
    product_categorie: str
    toewijzingsdatum: dt.date
    ingangsdatum: dt.date
    einddatum: dt.date | None
    volume: int | None
    frequentie: str

    def __init__(self, pk: int) -> None:
        self.id = pk
        self.referentie = ""  # ReferentieAanbieder: the link to the JW315 request
        self.deleted = False
        self.claimed = 0  # net claimed volume
        self.starts: list[dt.date] = []
        self.stops: list[tuple[dt.date, dt.date, str]] = []  # (begindatum, einddatum, reden) in order


class _Reader:
    def __init__(self, scale: int) -> None:
        self.products = product_index()
        self.successors = successor_index()
        self.providers = {s.agb_code: (s.categorie, s.is_nga) for s in region.aanbieders(scale)}
        self.gemeenten = frozenset(g.cbs_code for g in region.GEMEENTEN)
        self.allocations: dict[tuple[str, str], _Allocation] = {}
        self.requests: dict[tuple[str, str], tuple[str, dt.date]] = {}
        # (allocation, gemeente, aanbieder, client, product, ProductPeriode begin and end, cents, volume,
        # ReferentieNummer)
        self.lines: list[tuple] = []
        # (aanbieder, ReferentieNummer) rejected by a JW325 -> its first rejecting return code
        self.rejected: dict[tuple[str, str], str] = {}
        self.rejected_lines: list[tuple] = []
        # JW317: (aanbieder, ReferentieAanbieder) -> [id, client, gemeente, aanbieder, asked, product,
        # allocation or None, verlenging]
        self.change_requests: dict[tuple[str, str], list] = {}
        self.grants: dict[tuple[str, str], dt.date] = {}  # (aanbieder, ReferentieAanbieder) -> first JW301
        self.refusals: dict[tuple[str, str], dt.date] = {}
        self.investigated: set[tuple[str, str]] = set()
        self.debits: dict[str, set[str]] = {}  # aanbieder -> ReferentieNummers of stored debit lines
        self.waiting: list[tuple] = []  # what the ingest quarantines to retry, in order
        self.newest: dt.date | None = None

    # ------------------------------------------------------------ messages

    def read(self, out_dir: str | Path) -> None:
        for name, data in iter_entries(out_dir, KINDS, ingest_order=True):
            msg = read_message(data, name).message
            if msg is None:
                continue  # refused by the reader: quarantined, never stored
            header = msg.header
            if isinstance(msg, DeclaratieAntwoord):
                if header.afzender in self.gemeenten:
                    for answer in msg.regels:
                        if answer.afgewezen:
                            key = (header.ontvanger, answer.prestatie.referentie_nummer)
                            self.rejected[key] = answer.afwijzingscodes[0]
                    self._taken(header.dagtekening)
                continue
            if isinstance(msg, VerzoekOmWijziging):
                if header.ontvanger in self.gemeenten:
                    self._request(msg)
                    self._taken(header.dagtekening)
                continue
            if isinstance(msg, AntwoordVerzoek):
                if header.afzender in self.gemeenten:
                    key = (header.ontvanger, msg.referentie_aanbieder)
                    if msg.afgewezen:
                        self.refusals[key] = min(
                            self.refusals.get(key, header.dagtekening), header.dagtekening
                        )
                    else:
                        self.investigated.add(key)
                    self._taken(header.dagtekening)
                continue
            gemeente = header.afzender if isinstance(msg, Toewijzing) else header.ontvanger
            if gemeente not in self.gemeenten:
                continue
            if isinstance(msg, Toewijzing):
                self._toewijzing(msg)
            elif isinstance(msg, Declaratie):
                self._declaratie(msg)
            elif isinstance(msg, VerzoekOmToewijzing):
                for p in msg.producten:
                    self.requests[(header.afzender, p.referentie_aanbieder)] = (
                        p.verwijzer.type,
                        header.dagtekening,
                    )
            elif not self._start_stop(msg, retry=False):
                continue
            self._taken(header.dagtekening)
        for item in self.waiting:  # the ingest's retry of waiting items, oldest first
            if item[0] == "line":
                self._line(*item[1:], retry=True)
            elif self._start_stop(item[1], retry=True):
                self._taken(item[1].header.dagtekening)
        if self.rejected:  # accepted claims only
            kept = []
            for line in self.lines:
                if (line[2], line[9]) in self.rejected:
                    line[0].claimed -= line[8]
                    self.rejected_lines.append(line)
                else:
                    kept.append(line)
            self.lines = kept

    def _taken(self, day: dt.date) -> None:
        if self.newest is None or day > self.newest:
            self.newest = day

    def _toewijzing(self, msg: Toewijzing) -> None:
        gemeente, aanbieder, client = msg.header.afzender, msg.header.ontvanger, msg.client.bsn
        for p in msg.producten:
            key = (gemeente, p.toewijzing_nummer)
            a = self.allocations.get(key)
            if a is None:
                a = self.allocations[key] = _Allocation(len(self.allocations) + 1)
                a.toewijzingsdatum = p.toewijzingsdatum
            else:  # the allocation date stays the first one (the ingest keeps the earliest)
                a.toewijzingsdatum = min(a.toewijzingsdatum, p.toewijzingsdatum)
            a.client = client
            a.aanbieder = aanbieder
            a.product_categorie = p.product_categorie or ""
            a.product_code = p.product_code or ""
            a.product = self.products.get((a.product_categorie, a.product_code))
            a.ingangsdatum = p.ingangsdatum
            a.einddatum = p.einddatum
            a.volume = p.omvang.volume if p.omvang else None
            a.frequentie = p.omvang.frequentie if p.omvang else ""
            a.deleted = a.deleted or p.reden_wijziging == "13"
            if p.referentie_aanbieder:  # a JW301 version naming a request grants it
                key = (aanbieder, p.referentie_aanbieder)
                day = msg.header.dagtekening
                self.grants[key] = min(self.grants.get(key, day), day)
            if p.referentie_aanbieder and not a.referentie:  # the first reference stays (the JW315's)
                a.referentie = p.referentie_aanbieder

    def _request(self, msg: VerzoekOmWijziging) -> None:
        gemeente, aanbieder = msg.header.ontvanger, msg.header.afzender
        allocation, product, verlenging = None, None, False
        if msg.te_wijzigen_producten:
            p = msg.te_wijzigen_producten[0]
            allocation = self.allocations.get((gemeente, p.toewijzing_nummer))
            if allocation is not None:
                product = allocation.product
                verlenging = (
                    p.einddatum is not None
                    and allocation.einddatum is not None
                    and p.einddatum > allocation.einddatum
                )
        elif msg.nieuwe_producten:
            n = msg.nieuwe_producten[0]
            product = self.products.get((n.product_categorie or "", n.product_code or ""))
        self.change_requests[(aanbieder, msg.referentie_aanbieder)] = [
            len(self.change_requests) + 1,
            msg.bsn,
            gemeente,
            aanbieder,
            msg.header.dagtekening,
            product,
            allocation,
            verlenging,
        ]

    def _start_stop(self, msg: StartZorg | StopZorg, *, retry: bool) -> bool:
        """Apply a start/stop message as the ingest does; False when it is not (yet) taken in."""
        gemeente, aanbieder, client = msg.header.ontvanger, msg.header.afzender, msg.client.bsn
        products: tuple[StartProduct | StopProduct, ...] = msg.producten
        found = [self.allocations.get((gemeente, p.toewijzing_nummer)) for p in products]
        unknown = None in found
        if unknown and not retry:
            self.waiting.append(("message", msg))
        if unknown or any((a.aanbieder, a.client) != (aanbieder, client) for a in found if a is not None):
            return False
        is_start = isinstance(msg, StartZorg)
        for a, p in zip(found, products, strict=True):  # the ingest's TR063 / TR071 / TR074 / TR326
            assert a is not None
            own = set(a.starts) if is_start else {s[0] for s in a.stops}
            if p.status_aanlevering == "3":
                if p.begindatum not in own or (is_start and a.stops):
                    return False
            elif p.begindatum in own or (is_start and a.starts and not a.stops):
                return False
        for a, p in zip(found, products, strict=True):
            assert a is not None
            if isinstance(p, StartProduct):
                if p.status_aanlevering == "3":  # withdraws the earlier start with this begindatum
                    a.starts = [d for d in a.starts if d != p.begindatum]
                else:
                    a.starts.append(p.begindatum)
            elif p.status_aanlevering == "3":  # withdraws the earlier stop with this begindatum
                a.stops = [s for s in a.stops if s[0] != p.begindatum]
            else:
                a.stops.append((p.begindatum, p.einddatum, p.reden_beeindiging))
        return True

    def _declaratie(self, msg: Declaratie) -> None:
        gemeente, aanbieder = msg.header.ontvanger, msg.header.afzender
        debits_here: set[str] = set()  # debits earlier in the message, accepted or not
        for c in msg.clienten:
            for p in c.prestaties:
                self._line(gemeente, aanbieder, c.bsn, p, debits_here, retry=False)
                if p.debet_credit == "D":
                    debits_here.add(p.referentie_nummer)

    def _line(
        self, gemeente: str, aanbieder: str, bsn: str, p: Prestatie, debits_here: set[str], *, retry: bool
    ) -> None:
        """Store one claim line when the ingest's claim checks accept it; keep it for the retry at
        the end when it only waits for an allocation or debit that may still come."""
        a = self.allocations.get((gemeente, p.toewijzing_nummer))
        credit = p.debet_credit == "C"
        waits = a is None
        if credit:
            target = p.vorig_referentie_nummer or p.referentie_nummer
            waits = waits or not (target in debits_here or target in self.debits.get(aanbieder, ()))
        if a is not None and (
            a.client != bsn
            or a.aanbieder != aanbieder
            or (a.product_categorie and a.product_categorie != p.product_categorie)
            or (a.product_code and a.product_code != p.product_code)
            or (
                not credit
                and (
                    a.deleted
                    or p.begindatum < a.ingangsdatum
                    or (a.einddatum is not None and p.einddatum > a.einddatum)
                )
            )
        ):
            return  # refused for good
        if waits:
            if not retry:
                self.waiting.append(("line", gemeente, aanbieder, bsn, p, set()))
            return
        assert a is not None
        sign = -1 if credit else 1
        volume = sign * p.geleverd_volume
        a.claimed += volume
        self.lines.append(
            (
                a,
                gemeente,
                aanbieder,
                a.client,
                a.product,
                p.begindatum,
                p.einddatum,
                sign * p.bedrag,
                volume,
                p.referentie_nummer,
            )
        )
        if not credit:
            self.debits.setdefault(aanbieder, set()).add(p.referentie_nummer)

    # ------------------------------------------------------------ facts

    def referrers(self) -> dict[int, tuple[str, dt.date]]:
        """allocation id -> (referrer type, request date), as ``monitoring.facts.referrers_by_allocation``."""
        found = {}
        for a in self.allocations.values():
            if a.referentie:
                request = self.requests.get((a.aanbieder, a.referentie))
                if request is not None:
                    found[a.id] = request
        return found

    def request_facts(self, referrers: dict[int, tuple[str, dt.date]]) -> list[ChangeRequestFact]:
        facts = []
        for key, (pk, client, gemeente, aanbieder, asked, product, allocation, verlenging) in sorted(
            self.change_requests.items(), key=lambda item: item[1][0]
        ):
            grant, refusal = self.grants.get(key), self.refusals.get(key)
            if grant is not None and (refusal is None or grant <= refusal):
                uitkomst, decided = "toegekend", grant
            elif refusal is not None:
                uitkomst, decided = "afgewezen", refusal
            else:
                uitkomst, decided = ("in onderzoek" if key in self.investigated else "open"), None
            categorie, nga = self.providers.get(aanbieder, UNKNOWN_PROVIDER)
            segment, groep, code, _custom, _pxq = product or NO_PRODUCT
            verwijzer = (
                referrers[allocation.id][0] if allocation is not None and allocation.id in referrers else "01"
            )
            facts.append(
                ChangeRequestFact(
                    id=pk,
                    client=client,
                    gemeente=gemeente,
                    aanbieder=aanbieder,
                    categorie=categorie,
                    is_nga=nga,
                    segment=segment,
                    groep=groep,
                    product=code,
                    aangevraagd_op=asked,
                    uitkomst=uitkomst,  # type: ignore[arg-type]
                    beslist_op=decided,
                    verlenging=verlenging,
                    verwijzer=verwijzer,
                )
            )
        return facts

    def claims(
        self, referrers: dict[int, tuple[str, dt.date]], *, rejected: bool = False
    ) -> Iterator[ClaimFact]:
        providers = self.providers
        lines = self.rejected_lines if rejected else self.lines
        for a, gemeente, aanbieder, client, product, day, last_day, cents, volume, ref in lines:
            categorie, nga = providers.get(aanbieder, UNKNOWN_PROVIDER)
            segment, groep, code, custom, _pxq = product or NO_PRODUCT
            verwijzer = referrers[a.id][0] if a.id in referrers else "01"
            yield ClaimFact(
                client,
                gemeente,
                aanbieder,
                categorie,
                nga,
                segment,
                groep,
                code,
                custom,
                day,
                cents,
                volume,
                verwijzer,
                periode_eind=last_day,
                toewijzing=a.id,
                afgewezen=rejected,
                retourcode=self.rejected[(aanbieder, ref)] if rejected else "",
            )

    def allocation_facts(self, referrers: dict[int, tuple[str, dt.date]]) -> list[AllocationFact]:
        facts = []
        for (gemeente, _nummer), a in self.allocations.items():
            if a.deleted:
                continue
            categorie, nga = self.providers.get(a.aanbieder, UNKNOWN_PROVIDER)
            segment, groep, code, _custom, pxq = a.product or NO_PRODUCT
            verwijzer, requested = referrers.get(a.id, ("01", None))
            stop_reden, last = "", None
            if a.stops:
                last = max(s[1] for s in a.stops)
                stop_reden = [s for s in a.stops if s[1] == last][-1][2]  # ties: the last stored
            facts.append(
                AllocationFact(
                    id=a.id,
                    client=a.client,
                    gemeente=gemeente,
                    aanbieder=a.aanbieder,
                    categorie=categorie,
                    is_nga=nga,
                    segment=segment,
                    groep=groep,
                    product=code,
                    product_categorie=a.product_categorie,
                    ingangsdatum=a.ingangsdatum,
                    einddatum=a.einddatum,
                    verwijzer=verwijzer,
                    pxq=pxq,
                    volume=a.volume,
                    frequentie=a.frequentie,
                    claimed_volume=a.claimed,
                    toewijzingsdatum=a.toewijzingsdatum,
                    aangevraagd_op=requested,
                    zorg_start=min(a.starts) if a.starts else None,
                    stop_reden=stop_reden,
                    stop_datum=last,
                    toegewezen_product=a.product_code,
                    opvolger=self.successors.get(a.product_code, "") if a.product is not None else "",
                )
            )
        return facts


def read_kpi_facts(out_dir: str | Path, *, scale: int = 1, as_of: dt.date | None = None) -> Facts:
    """The KPI facts of the generated archives in ``out_dir`` (all periods), as the database
    would give them after ingesting those files; ``scale`` as generated (the providers' categories
    and NGA flags come from ``region.aanbieders(scale)``); ``as_of`` defaults to the newest message."""
    reader = _Reader(scale)
    reader.read(out_dir)
    referrers = reader.referrers()
    claims = list(reader.claims(referrers))
    allocations = reader.allocation_facts(referrers)
    return Facts(
        claims=claims,
        allocations=allocations,
        as_of=as_of or reader.newest or dt.date.today(),
        rejected_claims=list(reader.claims(referrers, rejected=True)),
        change_requests=reader.request_facts(referrers),
    )
