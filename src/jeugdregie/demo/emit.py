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
    DeclaratieAntwoord,
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
    claim_answer,
)

from . import region
from .calendar import h01, month_end, month_start, ordinal, to_date
from .catalog import ETMAAL, OUTPUT1, PRODUCTS, TRAJECT
from .claims import ClaimPlanner, ClaimRow
from .records import EmittedAllocation, EmittedClaim, EmittedFacts, EmittedStop
from .requests import Request, answer_message, plan_requests, request_events, request_message
from .sim_model import Alloc, Episode, Line, Youth
from .sim_params import FIRST_YEAR, NEW_START
from .simulation import CopySimulation

# Message kinds in the order they are emitted on the same day.
ORDER: Final = {
    "JW315": 0,
    "JW317": 1,
    "JW319": 2,
    "JW301": 3,
    "JW305": 4,
    "JW323": 5,
    "JW325": 6,
    "JW307": 7,
}
KINDS: Final = tuple(ORDER)

Sink = Callable[[str, str, bytes], None]  # (month "YYYY-MM", entry name, XML bytes)


@dataclass
class CopyStats:
    messages: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    jw301_changes: dict[str, int] = field(default_factory=dict)
    claim_lines_debit: int = 0
    claim_lines_credit: int = 0
    # per year of the ProductPeriode: late lines, corrections, rejected lines per return code, ...
    yearly: dict[str, dict[int, int]] = field(default_factory=dict)
    youths: int = 0
    allocations: int = 0
    bytes_xml: int = 0
    # (year, gemeente, segment) -> BSN -> net cents; folded by the caller
    market: dict[tuple[int, str, str], dict[str, int]] = field(default_factory=lambda: defaultdict(dict))


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
        self._referentie: dict[int, str] = {}  # id(alloc) -> ReferentieAanbieder of its JW315 / JW317
        self._wijziging_ref: dict[
            int, str
        ] = {}  # id(alloc) -> ReferentieAanbieder of the JW317 its 04 grants
        self._line_refs: dict[tuple[int, int], str] = {}
        self.planner = ClaimPlanner(sim.providers, self.gemeente_index)
        self._answers: dict[tuple[str, str, int], tuple[Declaratie, dict[str, tuple[str, ...]]]] = {}
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
            per_gemeente[ep.cell.gemeente].append((a.toew, ep.eid, a.idx, a))
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
        requests = plan_requests(allocs, self.first_day)
        events.extend(request_events(requests, ORDER, lambda ep: ep.cell.gemeente))
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
        moves = {y: sum(1 for day in days if day <= self.until) for y, days in sim.relocations.items()}
        self.stats.yearly["moves"] = {y: n for y, n in moves.items() if n}  # by ``until``
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
        gem = ep.cell.gemeente
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
            events.append((changed, ORDER["JW301"], gem, n, "07" if a.moved else "05", a, ep))
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
        planner = self.planner
        planner.plan(
            [(a, ep, ep.cell.gemeente) for a, ep in allocs], lines_by_alloc, self._omvang, FIRST_YEAR * 12
        )
        for (agb, gem, period), rows in planner.batches.items():
            date = planner.send_date(agb, gem, period)
            key = period * 10 + self.gemeente_index[gem]
            events.append((date, ORDER["JW323"], agb, key, "jw323", (gem, period, rows), None))
            answered = planner.answer_date(agb, gem, period)
            events.append((answered, ORDER["JW325"], gem, key, "jw325", (agb, gem, period), None))
        planner.batches.clear()

    # ------------------------------------------------------------ message building

    def _client(self, y: Youth) -> ClientIdentity:
        return ClientIdentity(bsn=y.bsn, geboortedatum=to_date(y.geboortedatum), geslacht=y.geslacht)

    def _build(self, event: tuple) -> Message | None:
        date, _, _, _, what, payload, ep = event
        day = to_date(date)
        if what == "jw323":
            return self._declaratie(day, *payload)
        if what == "jw325":
            return self._claim_answer(day, *payload)
        if what in ("jw317", "jw319"):
            return self._request(date, what, payload)
        a: Alloc = payload
        y = ep.youth
        gem = ep.cell.gemeente
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
        if what in ("new", "04", "05", "07", "10", "13"):
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

    def _request(self, date: int, what: str, r: Request) -> Message:
        a = r.alloc
        gem = r.ep.cell.gemeente
        if what == "jw319":
            return answer_message(r, date, gem, self._ident_gemeente(gem))
        agb = a.provider.agb
        ref = f"VZ{self._next('ref' + agb):010d}"
        if r.kind == "new":
            self._referentie[id(a)] = ref
        elif r.kind == "04":
            self._wijziging_ref[id(a)] = ref
        year = to_date(date).year
        _count(self.stats.yearly, "change_requests", year)
        if r.kind == "refused":
            _count(self.stats.yearly, "change_requests_refused", year)
        return request_message(
            r, date, gem, self._nummer[id(a)], self._omvang[id(a)], self._ident_provider(agb, "W"), ref
        )

    def _toewijzing(self, day: dt.date, what: str, a: Alloc, ep: Episode, nummer: str) -> Toewijzing:
        y = ep.youth
        gem = ep.cell.gemeente
        if what == "new":
            einde, reden, datum = a.first_einde, None, a.toew
        elif what == "04":
            einde, reden, datum = a.planned, "04", day.toordinal()
        elif what in ("05", "07"):
            einde, reden, datum = a.einde, what, day.toordinal()
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
            referentie_aanbieder=self._referentie.get(id(a))
            if what == "new"
            else (self._wijziging_ref.pop(id(a), None) if what == "04" else None),
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

    def _declaratie(self, day: dt.date, gem: str, period: int, rows: list[ClaimRow]) -> Declaratie:
        agb = rows[0].line.alloc.provider.agb
        per_client: dict[str, list[Prestatie]] = defaultdict(list)
        rejected: dict[str, tuple[str, ...]] = {}
        yearly = self.stats.yearly
        answered = self.planner.answer_date(agb, gem, period)
        # per client and allocation, months in order; a credit before the debit that corrects it
        for row in sorted(
            rows, key=lambda r: (r.ep.youth.bsn, self._nummer[id(r.line.alloc)], r.line.mi, r.dc == "D")
        ):
            ln = row.line
            a = ln.alloc
            ref = f"R{self._next('line' + agb):011d}"
            if row.line_id is not None:
                self._line_refs[row.line_id] = ref
            vorig = self._line_refs.pop(row.vorig_id) if row.vorig_id is not None else None
            bedrag = row.volume * row.tarief
            prestatie = Prestatie(
                referentie_nummer=ref,
                toewijzing_nummer=self._nummer[id(a)],
                product_categorie=PRODUCTS[a.code].categorie,
                product_code=a.code,
                begindatum=to_date(ln.begin),
                einddatum=to_date(ln.end),
                geleverd_volume=row.volume,
                eenheid=PRODUCTS[a.code].eenheid,
                product_tarief=row.tarief,
                bedrag=bedrag,
                debet_credit=row.dc,
                vorig_referentie_nummer=vorig,
            )
            per_client[row.ep.youth.bsn].append(prestatie)
            if row.dc == "D":
                self.stats.claim_lines_debit += 1
            else:
                self.stats.claim_lines_credit += 1
            year = ln.mi // 12
            if row.late:
                _count(yearly, "late_lines", year)
            if row.reject is not None:
                rejected[ref] = (row.reject,)
                if answered <= self.until:  # else still waiting for its answer on ``until``: counts
                    _count(yearly, "rejected_" + row.reject, year)
                    continue  # not an accepted claim
            signed = bedrag if row.dc == "D" else -bedrag
            seg = PRODUCTS[a.code].segment
            cell = self.stats.market[(year, gem, seg)]
            cell[row.ep.youth.bsn] = cell.get(row.ep.youth.bsn, 0) + signed
            if row.dc == "C":
                _count(yearly, "corrections", year)
            if self.collect:
                self.claims.append(
                    EmittedClaim(
                        gem,
                        agb,
                        row.ep.youth.bsn,
                        self._nummer[id(a)],
                        a.code,
                        prestatie.begindatum,
                        prestatie.einddatum,
                        row.volume if row.dc == "D" else -row.volume,
                        signed,
                    )
                )
        header = Header(agb, gem, self._ident_provider(agb, "D"), day)
        nummer = f"{day.year:04d}{day.month:02d}{self._next('decl' + agb):06d}"
        declaratie = Declaratie(
            header=header,
            declaratie_nummer=nummer,
            periode_begin=to_date(month_start(period)),
            periode_eind=to_date(month_end(period)),
            dagtekening=day,
            clienten=tuple(DeclaratieClient(bsn, tuple(ps)) for bsn, ps in sorted(per_client.items())),
        )
        self._answers[(agb, gem, period)] = (declaratie, rejected)
        return declaratie

    def _claim_answer(self, day: dt.date, agb: str, gem: str, period: int) -> DeclaratieAntwoord:
        """The municipality's JW325 to the declaration of ``period``: the rejected lines with their
        return code, or return code 8001 (granted in full)."""
        declaratie, rejected = self._answers.pop((agb, gem, period))
        return claim_answer(declaratie, rejected, identificatie=self._ident_gemeente(gem), dagtekening=day)


def _count(yearly: dict[str, dict[int, int]], what: str, year: int) -> None:
    per_year = yearly.setdefault(what, {})
    per_year[year] = per_year.get(year, 0) + 1
