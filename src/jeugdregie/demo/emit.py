"""Turns one simulated copy of the region into iJw messages, as the senders would deliver them.

Per allocation: JW315 (provider -> municipality) when the referrer is not the municipality itself,
JW301 (municipality -> provider) with later JW301 changes under the same ToewijzingNummer (04
prolonged, 05 shortened, 10 transition to the new product book, 13 deleted), JW305 when care starts,
JW307 when it stops. Claims: one JW323 per provider, municipality and month of care, sent 1-6
months after that month (claim lag), with some lines arriving later (stragglers) and some lines
corrected later by a credit of the original line (VorigReferentieNummer) and a new debit.

Every message dated after ``until`` is left out: the output is what the region would have received
by that day. Messages are emitted in date order per copy; identifiers are counters per sender.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from jeugdregie.ijw import writer
from jeugdregie.ijw.messages import (
    AangevraagdProduct,
    ClientIdentity,
    Declaratie,
    DeclaratieClient,
    Header,
    Message,
    Omvang,
    Prestatie,
    StartProduct,
    StartZorg,
    StopProduct,
    StopZorg,
    ToegewezenProduct,
    Toewijzing,
    Verwijzer,
    VerzoekOmToewijzing,
)

from . import region
from .calendar import h01, month_end, month_start, ordinal, to_date
from .catalog import ETMAAL, OUTPUT1, PRODUCTS, PXQ, TRAJECT
from .records import EmittedAllocation, EmittedClaim, EmittedFacts, EmittedStop
from .simulation import FIRST_YEAR, NEW_START, Alloc, CopySimulation, Episode, Line, Youth

# Claim lag in months after the month of care: (months, share). Nothing arrives later than
# MAX_LAG months after the month of care, corrections included.
LAGS: Final = ((1, 0.50), (2, 0.27), (3, 0.12), (4, 0.06), (5, 0.03), (6, 0.02))
MAX_LAG: Final = 6
P_STRAGGLER: Final = 0.03
P_CORRECTION: Final = 0.025

# Message kinds in the order they are emitted on the same day.
ORDER: Final = {"JW315": 0, "JW301": 1, "JW305": 2, "JW323": 3, "JW307": 4}
KINDS: Final = tuple(ORDER)

Sink = Callable[[str, str, bytes], None]  # (month "YYYY-MM", entry name, XML bytes)


@dataclass
class CopyStats:
    messages: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    jw301_changes: dict[str, int] = field(default_factory=dict)
    claim_lines_debit: int = 0
    claim_lines_credit: int = 0
    youths: int = 0
    allocations: int = 0
    bytes_xml: int = 0
    # (year, gemeente, segment) -> BSN -> net cents; folded by the caller
    market: dict[tuple[int, str, str], dict[str, int]] = field(default_factory=lambda: defaultdict(dict))


def _lag(u: float) -> int:
    for months, share in LAGS:
        u -= share
        if u < 0:
            return months
    return LAGS[-1][0]


def _rho(a: Alloc) -> float:
    """Target redemption of an effort allocation: 64-84%, 80-95% at micro and NGA providers."""
    u = h01(a.seed, 501)
    if a.provider.micro or a.provider.nga:
        return 0.82 + 0.14 * u
    return 0.68 + 0.20 * u


def allocated_volume(a: Alloc, lines: list[Line], horizon_end: int) -> Omvang:
    """The Omvang of an allocation, derived from what is delivered under it (so that delivered /
    allocated is the intended redemption and no month exceeds the allocated volume)."""
    p = PRODUCTS[a.code]
    if a.wijze == TRAJECT:
        return Omvang(12, p.eenheid, p.frequentie)
    if a.wijze == OUTPUT1:
        return Omvang(1, p.eenheid, p.frequentie)
    if a.wijze == ETMAAL:
        return Omvang(31, p.eenheid, p.frequentie)
    rho = _rho(a)
    total = sum(ln.volume for ln in lines)
    end = min(a.einde, horizon_end)
    days = max(1, end - a.ingang + 1)
    if p.frequentie == "2":
        periods = days / 7
        cap = max((math.ceil(ln.volume / math.ceil((ln.end - ln.begin + 1) / 7)) for ln in lines), default=1)
    elif p.frequentie == "4":
        periods = days / 30.44
        cap = max((ln.volume for ln in lines), default=1)
    else:
        periods = 1.0
        cap = total
    # nothing delivered (yet): the intended intensity; else what makes delivered / allocated = rho
    volume = max(1, round(a.intensity / rho)) if total == 0 else max(1, round(total / (rho * periods)), cap)
    return Omvang(volume, p.eenheid, p.frequentie)


def _zorgverlener(seed: int, referrer: str) -> str | None:
    if referrer in ("02", "03", "05"):
        return f"01{int(h01(seed, 601) * 1_000_000):06d}"
    return None


class CopyEmitter:
    """Emits the messages of one simulated copy in date order to a sink."""

    def __init__(self, sim: CopySimulation, until: dt.date, *, collect_facts: bool = False) -> None:
        self.sim = sim
        self.until = until.toordinal()
        self.first_day = ordinal(FIRST_YEAR, 1, 1)
        self.copy = sim.copy
        self.collect = collect_facts
        self.stats = CopyStats()
        self.gemeente_index = {g.cbs_code: i for i, g in enumerate(region.GEMEENTEN)}
        self._counters: dict[str, int] = defaultdict(int)
        self._nummer: dict[int, str] = {}  # id(alloc) -> ToewijzingNummer
        self._omvang: dict[int, Omvang] = {}
        self._referentie: dict[int, str] = {}  # id(alloc) -> ReferentieAanbieder of its JW315
        self._line_refs: dict[tuple[int, int], str] = {}
        self._alloc_state: dict[tuple[str, str], dict] = {}
        self.claims: list[EmittedClaim] = []
        self.stops: list[EmittedStop] = []
        self.changes: list[tuple[str, str, str, dt.date]] = []

    # ------------------------------------------------------------ identifiers

    def _next(self, key: str) -> int:
        self._counters[key] += 1
        return self._counters[key]

    def _ident_gemeente(self, gemeente: str) -> str:
        return f"T{self.copy:03d}{self._next('id' + gemeente):08d}"

    def _ident_provider(self, agb: str, prefix: str) -> str:
        return f"{prefix}{self._next('id' + agb):011d}"

    # ------------------------------------------------------------ main

    def emit(self, sink: Sink) -> CopyStats:
        sim = self.sim
        allocs: list[tuple[Alloc, Episode]] = []
        lines_by_alloc: dict[int, list[Line]] = defaultdict(list)
        for cell in sim.cells:
            for ep in cell.episodes:
                for a in sim.plan(ep):
                    allocs.append((a, ep))
                for ln in sim.lines(ep):
                    lines_by_alloc[id(ln.alloc)].append(ln)
        # ToewijzingNummer per municipality, in order of allocation date
        per_gemeente: dict[str, list[tuple[int, int, int, Alloc]]] = defaultdict(list)
        for a, ep in allocs:
            per_gemeente[ep.youth.gemeente].append((a.toew, ep.eid, a.idx, a))
        for rows in per_gemeente.values():
            rows.sort(key=lambda r: r[:3])
            for i, (_, _, _, a) in enumerate(rows):
                self._nummer[id(a)] = str(self.copy * 1_000_000 + 100_000 + i)
        for a, _ in allocs:
            self._omvang[id(a)] = allocated_volume(a, lines_by_alloc.get(id(a), []), sim.horizon_end)

        events: list[tuple] = []
        for a, ep in allocs:
            self._alloc_events(a, ep, events)
        self._claim_events(allocs, lines_by_alloc, events)
        del lines_by_alloc
        events.sort(key=lambda e: e[:4])
        for event in events:
            if event[0] > self.until:
                break
            msg = self._build(event)
            if msg is None:
                continue
            data = writer.to_xml(msg)
            day = msg.header.dagtekening
            sink(f"{day.year:04d}-{day.month:02d}", writer.message_filename(msg), data)
            self.stats.messages[msg.kind] += 1
            self.stats.bytes_xml += len(data)
        self.stats.allocations = len(self._alloc_state)
        self.stats.youths = len({s["client"] for s in self._alloc_state.values()})
        return self.stats

    def facts(self) -> EmittedFacts:
        allocations = [
            EmittedAllocation(
                gemeente=s["gemeente"], nummer=s["nummer"], client=s["client"], provider=s["provider"],
                code=s["code"], ingang=s["ingang"], einde=s["einde"], deleted=s["deleted"],
                volume=s["volume"], eenheid=s["eenheid"], frequentie=s["frequentie"],
            )
            for s in self._alloc_state.values()
        ]  # fmt: skip
        return EmittedFacts(
            allocations=allocations,
            claims=self.claims,
            stops=self.stops,
            changes=self.changes,
            nga_providers={p.agb for p in self.sim.providers if p.nga},
            micro_providers={p.agb for p in self.sim.providers if p.micro},
        )

    # ------------------------------------------------------------ allocation events

    def _alloc_events(self, a: Alloc, ep: Episode, events: list[tuple]) -> None:
        if a.einde < self.first_day:
            return  # history of the run-in stock before the generated period: not delivered
        gem = ep.youth.gemeente
        agb = a.provider.agb
        n = int(self._nummer[id(a)])
        if a.deleted:
            events.append((a.toew, ORDER["JW301"], gem, n, "new", a, ep))
            events.append((a.changed, ORDER["JW301"], gem, n, "13", a, ep))
            return
        first = a.idx in (0,) and ep.host is None and ep.referrer != "01"
        if first:
            request = a.toew - ep.req_lead
            events.append((request, ORDER["JW315"], agb, n, "jw315", a, ep))
        events.append((a.toew, ORDER["JW301"], gem, n, "new", a, ep))
        # changes come after the allocation itself, in the order 04 (prolonged) -> 05 / 10
        changed = a.toew
        if a.ext04:
            changed = max(changed + 1, a.first_einde - 10 - int(h01(a.seed, 701) * 20))
            events.append((changed, ORDER["JW301"], gem, n, "04", a, ep))
        if a.shortened:
            changed = max(changed + 1, a.care_end + 3 + int(h01(a.seed, 702) * 18))
            events.append((changed, ORDER["JW301"], gem, n, "05", a, ep))
        elif a.transition:
            changed = max(changed + 1, NEW_START - 31 + int(h01(a.seed, 703) * 14))
            events.append((changed, ORDER["JW301"], gem, n, "10", a, ep))
        if not a.has_care:
            return
        events.append((a.care_start + 1 + int(h01(a.seed, 704) * 9), ORDER["JW305"], agb, n, "jw305", a, ep))
        if a.care_end <= self.sim.horizon_end and (a.final or a.care_end < self.sim.horizon_end):
            events.append(
                (a.care_end + 1 + int(h01(a.seed, 705) * 13), ORDER["JW307"], agb, n, "jw307", a, ep)
            )

    # ------------------------------------------------------------ claim events

    def _claim_events(
        self, allocs: list[tuple[Alloc, Episode]], lines_by_alloc: dict[int, list[Line]], events: list[tuple]
    ) -> None:
        batches: dict[tuple[str, str, int, int], list[tuple]] = defaultdict(list)
        for a, ep in allocs:
            if a.deleted:
                continue
            gem = ep.youth.gemeente
            p = a.provider
            gi = self.gemeente_index[gem]
            for ln in lines_by_alloc.get(id(a), []):
                lag = _lag(h01(p.lag_seed, ln.mi, gi))
                line_id = (id(a), ln.mi)
                u_s = h01(a.seed, ln.mi, 11)
                u_c = h01(a.seed, ln.mi, 12)
                if u_s < P_STRAGGLER and lag < MAX_LAG:
                    lag = min(MAX_LAG, lag + 1 + int(u_s / P_STRAGGLER * 2))
                if a.wijze == PXQ and u_c < P_CORRECTION and lag < MAX_LAG:
                    v = u_c / P_CORRECTION
                    delta = -1 if (v < 0.3 and ln.volume >= 2) else (2 if v > 0.85 else 1)
                    later = min(MAX_LAG, lag + 1 + int(v * 2))
                    batches[(p.agb, gem, ln.mi, lag)].append(("D", ln, ep, ln.volume + delta, line_id, None))
                    batches[(p.agb, gem, ln.mi, later)].append(
                        ("C", ln, ep, ln.volume + delta, None, line_id)
                    )
                    batches[(p.agb, gem, ln.mi, later)].append(("D", ln, ep, ln.volume, None, None))
                else:
                    batches[(p.agb, gem, ln.mi, lag)].append(("D", ln, ep, ln.volume, None, None))
        providers = {p.agb: p for p in self.sim.providers}
        for (agb, gem, mi, lag), rows in batches.items():
            p = providers[agb]
            sub_mi = mi + lag
            day = min(28, p.claim_day + int(h01(p.lag_seed, mi, 900 + lag) * 4))
            date = month_start(sub_mi) + day - 1
            key = (mi * 10 + lag) * 10 + self.gemeente_index[gem]
            events.append((date, ORDER["JW323"], agb, key, "jw323", (gem, mi, rows), None))

    # ------------------------------------------------------------ message building

    def _client(self, y: Youth) -> ClientIdentity:
        return ClientIdentity(bsn=y.bsn, geboortedatum=to_date(y.geboortedatum), geslacht=y.geslacht)

    def _build(self, event: tuple) -> Message | None:
        date, _, _, _, what, payload, ep = event
        day = to_date(date)
        if what == "jw323":
            return self._declaratie(day, *payload)
        a: Alloc = payload
        y = ep.youth
        gem = y.gemeente
        agb = a.provider.agb
        nummer = self._nummer[id(a)]
        cat = PRODUCTS[a.code].categorie
        if what == "jw315":
            ref = f"VZ{self._next('ref' + agb):010d}"
            self._referentie[id(a)] = ref
            header = Header(agb, gem, self._ident_provider(agb, "V"), day)
            product = AangevraagdProduct(
                referentie_aanbieder=ref,
                product_categorie=cat,
                product_code=a.code,
                toewijzing_ingangsdatum=to_date(a.ingang),
                toewijzing_einddatum=to_date(a.first_einde),
                omvang=self._omvang[id(a)],
                verwijzer=Verwijzer(ep.referrer, _zorgverlener(ep.seed, ep.referrer)),
            )
            return VerzoekOmToewijzing(header, self._client(y), (product,))
        if what in ("new", "04", "05", "10", "13"):
            return self._toewijzing(day, what, a, ep, nummer)
        if what == "jw305":
            header = Header(agb, gem, self._ident_provider(agb, "S"), day)
            start = StartProduct(nummer, cat, a.code, to_date(a.ingang), to_date(a.care_start))
            return StartZorg(header, self._client(y), (start,))
        if what == "jw307":
            header = Header(agb, gem, self._ident_provider(agb, "E"), day)
            stop = StopProduct(
                nummer, cat, a.code, to_date(a.ingang), to_date(a.care_start), to_date(a.care_end), a.reason
            )
            if self.collect:
                self.stops.append(EmittedStop(gem, agb, y.bsn, nummer, to_date(a.care_end), a.reason))
            return StopZorg(header, self._client(y), (stop,))
        raise AssertionError(what)

    def _toewijzing(self, day: dt.date, what: str, a: Alloc, ep: Episode, nummer: str) -> Toewijzing:
        y = ep.youth
        gem = y.gemeente
        if what == "new":
            einde, reden, datum = a.first_einde, None, a.toew
        elif what == "04":
            einde, reden, datum = a.planned, "04", day.toordinal()
        elif what == "05":
            einde, reden, datum = a.einde, "05", day.toordinal()
        elif what == "10":
            einde, reden, datum = NEW_START - 1, "10", day.toordinal()
        else:
            einde, reden, datum = a.first_einde, "13", day.toordinal()
        omvang = self._omvang[id(a)]
        product = ToegewezenProduct(
            toewijzing_nummer=nummer,
            product_categorie=PRODUCTS[a.code].categorie,
            product_code=a.code,
            toewijzingsdatum=to_date(datum),
            ingangsdatum=to_date(a.ingang),
            einddatum=to_date(einde),
            reden_wijziging=reden,
            omvang=omvang,
            referentie_aanbieder=self._referentie.get(id(a)) if what == "new" else None,
        )
        header = Header(gem, a.provider.agb, self._ident_gemeente(gem), day)
        if reden is not None:
            self.stats.jw301_changes[reden] = self.stats.jw301_changes.get(reden, 0) + 1
            if self.collect:
                self.changes.append((gem, nummer, reden, day))
        key = (gem, nummer)
        if what == "new":
            self._alloc_state[key] = {
                "gemeente": gem, "nummer": nummer, "client": y.bsn, "provider": a.provider.agb,
                "code": a.code, "ingang": to_date(a.ingang), "einde": to_date(einde), "deleted": False,
                "volume": omvang.volume, "eenheid": omvang.eenheid, "frequentie": omvang.frequentie,
            }  # fmt: skip
        else:
            state = self._alloc_state[key]
            state["einde"] = to_date(einde)
            state["deleted"] = reden == "13"
        return Toewijzing(header, self._client(y), (product,))

    def _declaratie(self, day: dt.date, gem: str, mi: int, rows: list[tuple]) -> Declaratie:
        agb = rows[0][1].alloc.provider.agb
        per_client: dict[str, list[Prestatie]] = defaultdict(list)
        year = mi // 12
        for dc, ln, ep, volume, line_id, vorig_id in sorted(
            rows, key=lambda r: (r[2].youth.bsn, self._nummer[id(r[1].alloc)], r[0] == "D")
        ):
            a = ln.alloc
            ref = f"R{self._next('line' + agb):011d}"
            if line_id is not None:
                self._line_refs[line_id] = ref
            vorig = self._line_refs.pop(vorig_id) if vorig_id is not None else None
            bedrag = volume * ln.tarief
            prestatie = Prestatie(
                referentie_nummer=ref,
                toewijzing_nummer=self._nummer[id(a)],
                product_categorie=PRODUCTS[a.code].categorie,
                product_code=a.code,
                begindatum=to_date(ln.begin),
                einddatum=to_date(ln.end),
                geleverd_volume=volume,
                eenheid=PRODUCTS[a.code].eenheid,
                product_tarief=ln.tarief,
                bedrag=bedrag,
                debet_credit=dc,
                vorig_referentie_nummer=vorig,
            )
            per_client[ep.youth.bsn].append(prestatie)
            signed = bedrag if dc == "D" else -bedrag
            seg = PRODUCTS[a.code].segment
            cell = self.stats.market[(year, gem, seg)]
            cell[ep.youth.bsn] = cell.get(ep.youth.bsn, 0) + signed
            if dc == "D":
                self.stats.claim_lines_debit += 1
            else:
                self.stats.claim_lines_credit += 1
            if self.collect:
                self.claims.append(
                    EmittedClaim(
                        gem,
                        agb,
                        ep.youth.bsn,
                        self._nummer[id(a)],
                        a.code,
                        prestatie.begindatum,
                        prestatie.einddatum,
                        volume if dc == "D" else -volume,
                        signed,
                    )
                )
        header = Header(agb, gem, self._ident_provider(agb, "D"), day)
        nummer = f"{day.year:04d}{day.month:02d}{self._next('decl' + agb):06d}"
        return Declaratie(
            header=header,
            declaratie_nummer=nummer,
            periode_begin=to_date(month_start(mi)),
            periode_eind=to_date(month_end(mi)),
            dagtekening=day,
            clienten=tuple(DeclaratieClient(bsn, tuple(ps)) for bsn, ps in sorted(per_client.items())),
        )
