"""The demo data generator end to end on a short period: determinism, layout, message validity."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import statistics
import subprocess
import sys
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from demo_support import SHORT_UNTIL, XSD_DIR, XSD_MISSING_REASON
from django.core.management import call_command

from jeugdregie.demo.generator import GenerationResult, generate
from jeugdregie.demo.xmlfacts import iter_entries
from jeugdregie.ijw.bsn import is_valid_bsn
from jeugdregie.ijw.messages import (
    AntwoordVerzoek,
    Declaratie,
    DeclaratieAntwoord,
    StartZorg,
    StopZorg,
    Toewijzing,
    VerzoekOmToewijzing,
    VerzoekOmWijziging,
)
from jeugdregie.ijw.reader import read_message
from jeugdregie.ijw.validation import AllocationView, XsdValidator, check_claim_against_state


def _all_bytes(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


@pytest.mark.slow
def test_same_seed_same_bytes(short_run: GenerationResult, tmp_path: Path) -> None:
    """A second run in another process, with another hash seed, writes the same bytes."""
    again = tmp_path / "again"
    code = (
        "import datetime as dt, sys; from jeugdregie.demo.generator import generate; "
        "generate(sys.argv[1], seed=1, scale=1, until=dt.date.fromisoformat(sys.argv[2]))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "4242"}
    subprocess.run([sys.executable, "-c", code, str(again), SHORT_UNTIL.isoformat()], check=True, env=env)
    first, second = _all_bytes(short_run.out), _all_bytes(again)
    assert list(first) == list(second)
    for name in first:
        assert first[name] == second[name], f"{name} differs between two runs with the same seed"


def test_other_seed_other_data(tmp_path: Path) -> None:
    until = dt.date(2021, 2, 28)
    a = generate(tmp_path / "a", seed=1, until=until)
    b = generate(tmp_path / "b", seed=2, until=until)
    assert [f["sha256"] for f in a.files] != [f["sha256"] for f in b.files]


def test_layout_and_manifest(short_run: GenerationResult) -> None:
    out = short_run.out
    archives = sorted(p.name for p in out.glob("*.zip"))
    assert archives == [f["name"] for f in short_run.files]
    assert archives[-1] == f"{SHORT_UNTIL:%Y-%m}.zip"
    assert not list(out.glob("*.part")) and not list(out.glob("*.cd"))
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["seed"] == 1 and manifest["scale"] == 1 and manifest["until"] == SHORT_UNTIL.isoformat()
    counts = manifest["aantallen"]
    assert (
        counts["berichten"] == sum(f["messages"] for f in manifest["bestanden"]) == short_run.total_messages
    )
    assert set(counts["per_berichtsoort"]) == {
        "JW301", "JW305", "JW307", "JW315", "JW317", "JW319", "JW323", "JW325"
    }  # fmt: skip
    assert set(manifest["per_jaar"]) >= {"late_lines", "corrections", "change_requests", "rejected_0611"}
    assert counts["jw301_wijzigingen_per_reden"].keys() >= {"05", "13"}
    names: set[str] = set()
    for archive in out.glob("*.zip"):
        with zipfile.ZipFile(archive) as zf:
            for name in zf.namelist():
                assert name not in names, f"duplicate file name {name}"
                names.add(name)
    assert len(names) == short_run.total_messages


@pytest.mark.slow
def test_every_message_reads_without_errors_and_follows_the_flow(short_run: GenerationResult) -> None:
    """All messages pass the reader (structure, 11-proef, dates, amounts, totals) and every claim line
    passes the checks against the allocations (known, same client/provider/product, not deleted,
    inside the allocation; credits reverse a known debit). Also the order of the flow: declarations
    of a provider to a municipality in the order of their periods (TR318), lines in their own or an
    earlier period (TR319), every JW323 answered by a JW325 naming only its own lines."""

    class State:
        def __init__(self) -> None:
            self.allocs: dict[tuple[str, str], AllocationView] = {}
            self.debits: set[tuple[str, str]] = set()
            self.references: set[tuple[str, str, str]] = set()
            self.credits: set[tuple[str, str]] = set()

        def allocation(self, gemeente: str, nummer: str) -> AllocationView | None:
            return self.allocs.get((gemeente, nummer))

        def debit_line(self, aanbieder: str, ref: str) -> bool:
            return (aanbieder, ref) in self.debits

        def reference_used(self, aanbieder: str, ref: str, debet_credit: str) -> bool:
            return (aanbieder, ref, debet_credit) in self.references

        def credited(self, aanbieder: str, ref: str) -> bool:
            return (aanbieder, ref) in self.credits

        def pseudonym_of(self, bsn: str) -> str:
            return bsn

    state = State()
    errors: list[object] = []
    requests: dict[tuple[str, str], dt.date] = {}  # (agb, ReferentieAanbieder) -> JW315 date
    toewijzing: dict[tuple[str, str], dt.date] = {}  # (gemeente, nummer) -> Toewijzingsdatum
    waits: list[int] = []
    lags: Counter[int] = Counter()
    late: Counter[int] = Counter()  # declaration period - ProductPeriode, in months
    last_period: dict[tuple[str, str], dt.date] = {}
    claims: dict[tuple[str, str], Declaratie] = {}  # (provider, BerichtIdentificatie) -> JW323
    return_codes: Counter[str] = Counter()
    answered = 0
    change_requests: dict[tuple[str, str], dt.date] = {}  # (provider, ReferentieAanbieder) -> JW317 date
    request_answers: Counter[str] = Counter()
    referrers: Counter[str] = Counter()
    until = SHORT_UNTIL
    for name, data in iter_entries(short_run.out):
        result = read_message(data, name)
        errors.extend(result.errors)
        msg = result.message
        assert msg is not None, result.errors
        assert msg.header.dagtekening <= until
        if isinstance(msg, VerzoekOmToewijzing):
            for p in msg.producten:
                referrers[p.verwijzer.type] += 1
                requests[(msg.header.afzender, p.referentie_aanbieder)] = msg.header.dagtekening
        elif isinstance(msg, Toewijzing):
            assert is_valid_bsn(msg.client.bsn)
            p0 = msg.producten[0]
            age = (p0.ingangsdatum - msg.client.geboortedatum).days / 365.25
            assert 0 <= age < (21 if p0.product_categorie in ("43", "44") else 18)
            for p in msg.producten:
                key = (msg.header.afzender, p.toewijzing_nummer)
                if p.reden_wijziging is None:
                    assert key not in state.allocs, "ToewijzingNummer not unique within the municipality"
                    toewijzing[key] = p.toewijzingsdatum
                    if p.referentie_aanbieder is not None:
                        ref = (msg.header.ontvanger, p.referentie_aanbieder)
                        asked = requests[ref] if ref in requests else change_requests.pop(ref)
                        assert asked <= p.toewijzingsdatum
                    state.allocs[key] = AllocationView(
                        msg.client.bsn, msg.header.ontvanger, p.ingangsdatum, p.einddatum, False,
                        p.product_categorie, p.product_code,
                    )  # fmt: skip
                else:
                    assert key in state.allocs, "a change before the allocation"
                    old = state.allocs[key]
                    state.allocs[key] = AllocationView(
                        old.client_key, old.aanbieder, old.ingangsdatum, p.einddatum, p.reden_wijziging == "13",
                        old.product_categorie, old.product_code,
                    )  # fmt: skip
        elif isinstance(msg, StartZorg):
            for p in msg.producten:
                key = (msg.header.ontvanger, p.toewijzing_nummer)
                assert key in state.allocs and not state.allocs[key].deleted
                if key in toewijzing:
                    waits.append((p.begindatum - toewijzing[key]).days)
        elif isinstance(msg, StopZorg):
            for p in msg.producten:
                assert (msg.header.ontvanger, p.toewijzing_nummer) in state.allocs
        elif isinstance(msg, Declaratie):
            errors.extend(check_claim_against_state(msg, state, name))
            months = (
                (msg.dagtekening.year - msg.periode_eind.year) * 12
                + msg.dagtekening.month
                - msg.periode_eind.month
            )
            assert 1 <= months <= 8, f"claim lag of {months} months"
            lags[months] += 1
            pair = (msg.header.afzender, msg.header.ontvanger)
            assert last_period.get(pair, msg.periode_begin) <= msg.periode_begin, "TR318: periods in order"
            last_period[pair] = msg.periode_begin
            claims[(msg.header.afzender, msg.header.identificatie)] = msg
            for c in msg.clienten:
                for p in c.prestaties:
                    assert p.begindatum <= p.einddatum <= msg.periode_eind
                    assert (p.begindatum.year, p.begindatum.month) == (p.einddatum.year, p.einddatum.month)
                    late[
                        (msg.periode_begin.year - p.begindatum.year) * 12
                        + msg.periode_begin.month
                        - p.begindatum.month
                    ] += 1
                    state.references.add((msg.header.afzender, p.referentie_nummer, p.debet_credit))
                    if p.debet_credit == "D":
                        state.debits.add((msg.header.afzender, p.referentie_nummer))
                    elif p.vorig_referentie_nummer is not None:
                        state.credits.add((msg.header.afzender, p.vorig_referentie_nummer))
        elif isinstance(msg, VerzoekOmWijziging):
            ref = (msg.header.afzender, msg.referentie_aanbieder)
            assert ref not in change_requests and ref not in requests  # TR347
            change_requests[ref] = msg.header.dagtekening
        elif isinstance(msg, AntwoordVerzoek):
            ref = (msg.header.ontvanger, msg.referentie_aanbieder)
            assert change_requests[ref] <= msg.header.dagtekening  # TR355
            request_answers[msg.verzoek_antwoord] += 1
            if msg.afgewezen:
                assert msg.reden_afwijzing is not None
                del change_requests[ref]
        elif isinstance(msg, DeclaratieAntwoord):
            claim = claims.pop((msg.header.ontvanger, msg.declaratie_identificatie))
            assert (claim.header.afzender, claim.header.ontvanger) == (
                msg.header.ontvanger,
                msg.header.afzender,
            )
            assert msg.declaratie_nummer == claim.declaratie_nummer
            lines = {p.referentie_nummer: p for c in claim.clienten for p in c.prestaties}
            for answer in msg.regels:
                assert lines[answer.prestatie.referentie_nummer] == answer.prestatie
                return_codes.update(answer.afwijzingscodes)
            answered += 1
    assert errors == []
    # late lines: most one period late, a tail over months
    assert (
        late[1] > late[2] > late[3] > 0 and 0.04 < (sum(late.values()) - late[0]) / sum(late.values()) < 0.2
    )
    rejected = sum(return_codes.values())
    assert set(return_codes) == {"0611", "9321", "9389"} and 0.01 < rejected / sum(late.values()) < 0.03
    assert request_answers["1"] > 0 and request_answers["2"] > 0
    assert answered > 0 and all(c.dagtekening > until - dt.timedelta(days=16) for c in claims.values())
    assert min(waits) >= 0 and 7 <= statistics.median(waits) <= 60
    assert lags[1] > lags[2] > lags[3] > 0
    assert set(referrers) <= {"02", "03", "04", "05", "08"} and len(referrers) >= 5


@pytest.mark.skipif(not (XSD_DIR / "basisschema.xsd").is_file(), reason=XSD_MISSING_REASON)
def test_messages_validate_against_the_official_xsd(short_run: GenerationResult) -> None:
    kinds = ("JW301", "JW305", "JW307", "JW315", "JW317", "JW319", "JW323", "JW325")
    xsd = {kind: XsdValidator(XSD_DIR, kinds=(kind,)) for kind in kinds}
    checked: Counter[str] = Counter()
    for i, (name, data) in enumerate(iter_entries(short_run.out)):
        kind = name[:5]
        if checked[kind] < 150 or i % 40 == 0:
            assert xsd[kind].validate_bytes(data, name) == [], name
            checked[kind] += 1
    assert set(checked) == {"JW301", "JW305", "JW307", "JW315", "JW317", "JW319", "JW323", "JW325"}


def test_scale_two_copies_are_independent(tmp_path: Path) -> None:
    result = generate(tmp_path / "s2", seed=1, scale=2, until=dt.date(2021, 2, 28))
    bsn_by_copy: dict[str, set[str]] = {}
    providers: set[str] = set()
    for name, data in iter_entries(result.out, ("JW301",)):
        msg = read_message(data, name).message
        assert isinstance(msg, Toewijzing)
        nummer = int(msg.producten[0].toewijzing_nummer)
        copy = str(nummer // 1_000_000)
        bsn_by_copy.setdefault(copy, set()).add(msg.client.bsn)
        providers.add(msg.header.ontvanger)
    assert set(bsn_by_copy) == {"0", "1"}
    assert not bsn_by_copy["0"] & bsn_by_copy["1"]
    assert any(int(agb) > 98_000_140 for agb in providers) and any(
        int(agb) <= 98_000_140 for agb in providers
    )
    names = [name for name, _ in iter_entries(result.out)]
    assert len(names) == len(set(names)) == result.total_messages


def test_management_command(tmp_path: Path) -> None:
    stdout, stderr = io.StringIO(), io.StringIO()
    out = tmp_path / "cmd"
    call_command(
        "generate_demo_data", str(out), "--until", "2021-01-31", "--seed", "3", stdout=stdout, stderr=stderr
    )
    assert "Klaar in" in stdout.getvalue() and "berichten" in stdout.getvalue()
    assert "gesimuleerd" in stderr.getvalue()
    assert json.loads((out / "manifest.json").read_text())["seed"] == 3
    # as `jeugdregie demo` calls it: a string date, into the folder of an earlier run (replaced)
    call_command("generate_demo_data", str(out), until="2021-02-28", stdout=stdout, stderr=stderr)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["until"] == "2021-02-28" and manifest["seed"] == 1
    assert sorted(p.name for p in out.glob("*.zip")) == [f["name"] for f in manifest["bestanden"]]
