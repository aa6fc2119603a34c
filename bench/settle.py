"""Run time of the settlement (`jeugdregie settle` / `settle-compare`) on the demo region and at
scale 10, on a SQLite database.

    .venv/bin/python bench/settle.py [--scale 1 10] [--data DIR] [--work DIR] [--repeat 2] [--json]

The data: the demo region generated at scale 1 (seed 1, until 2026-10-31) into a temporary
directory (``--data DIR`` reuses a generated one), read with
``jeugdregie.demo.kpifacts.read_kpi_facts`` (the facts an ingest of the same files gives), and
bulk-loaded into a fresh SQLite database per scale (``--work DIR`` keeps the databases, under
``DIR/var-<scale>``, and reuses one that is already loaded). The normal ingest would take about
19 minutes at scale 1; the settlement reads only what the bulk load stores: clients,
allocations, claim lines with their declaratie (received on the 5th of the month after the
ProductPeriode) and the demo catalogue and providers. A claim line carries the product its
facts name (a legacy product as the new-book product it maps to: the same group and the same
norm as the settlement gives the legacy product). Scale N is replicated by bench/replicate.py
(as for the KPI benchmarks): the scale-1 facts N times, copy k with its own clients and
allocations and the providers of copy k of ``region.aanbieders(N)``.

Timed, each in the same process after loading, best of ``--repeat``:

1. ceilings 2025 on 2023 production (``calculate_ceilings``; the settlement needs them);
2. settle 2025 under harde-plafond (norm duration off) and under staffel (norm duration on:
   the care paths and the claim lines after the norm duration);
3. settle-compare 2025 of the four example rule sets (one read of the database);
4. settle 2026 as of 2026-09-30 under harde-plafond with the outlook (forecast per provider x group).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import pickle
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from demo_source import demo_data
from replicate import copies

HERE = Path(__file__).resolve().parent


def peak_rss_mb() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


# ---------------------------------------------------------------- loading (child process)


def bulk_load(facts_path: Path, scale: int, *, resume: bool = False) -> dict:
    """Load the scale-N database (one transaction per copy); a loaded one is reused as it is, or
    with ``resume`` completed: the copies it lacks are added (a load stopped part way)."""
    from django.core.management import call_command
    from django.db import transaction

    from jeugdregie.catalogus.models import Product
    from jeugdregie.contracten.models import Aanbieder
    from jeugdregie.demo import region
    from jeugdregie.demo.loader import load_demo_region
    from jeugdregie.ijw.models import Aanlevering, Bericht
    from jeugdregie.regio.models import Gemeente
    from jeugdregie.rules.forecast import month_end
    from jeugdregie.zorg.models import Client, Declaratie, DeclaratieRegel, Toewijzing

    call_command("migrate", verbosity=0)
    started = DeclaratieRegel.objects.exists()
    if started and not resume:
        return {"loaded": "reused", "claim_lines": DeclaratieRegel.objects.count()}
    t0 = time.perf_counter()
    if not started:
        load_demo_region(scale, users=False)
    with open(facts_path, "rb") as fh:
        claims, allocations = pickle.load(fh)
    products = {}
    for p in Product.objects.order_by("boek__geldig_van"):
        products[p.code] = p  # the newest book's product wins
    gemeenten = dict(Gemeente.objects.values_list("cbs_code", "pk"))
    providers = dict(Aanbieder.objects.values_list("agb_code", "pk"))
    base = [s.agb_code for s in region.aanbieders(1)]
    scaled = [s.agb_code for s in region.aanbieders(scale)]
    per_copy = len(base)
    agb_of = [{agb: scaled[k * per_copy + i] for i, agb in enumerate(base)} for k in range(scale)]
    delivery, _ = Aanlevering.objects.get_or_create(
        sha256="b" * 64, defaults={"bestandsnaam": "bench", "status": "verwerkt"}
    )
    client_pk: dict[str, int] = {}
    next_pk = {
        name: (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        for name, model in (("client", Client), ("bericht", Bericht), ("regel", DeclaratieRegel))
    }

    def client(key: str, batch: list) -> int:
        found = client_pk.get(key)
        if found is None:
            found = client_pk[key] = next_pk["client"]
            next_pk["client"] += 1
            batch.append(Client(pk=found, pseudoniem=hashlib.sha256(key.encode()).hexdigest()))
        return found

    lines = 0
    # copy k: its own clients, allocation ids and the providers of copy k of region.aanbieders(scale)
    for _k, claims_k, allocations_k, _, _ in copies(
        claims, allocations, scale, provider=lambda agb, k: agb_of[k][agb]
    ):
        if started and Toewijzing.objects.filter(pk=allocations_k[0].id).exists():
            continue  # this copy was loaded (each copy is one transaction)
        with transaction.atomic():
            new_clients: list = []
            rows = []
            known = set()
            for a in allocations_k:
                product = products.get(a.product)
                known.add(a.id)
                rows.append(
                    Toewijzing(
                        pk=a.id,
                        gemeente_id=gemeenten[a.gemeente],
                        toewijzingnummer=str(a.id),
                        client_id=client(a.client, new_clients),
                        aanbieder_id=providers[a.aanbieder],
                        product=product,
                        product_categorie=a.product_categorie,
                        product_code=a.product,
                        toewijzingsdatum=a.toewijzingsdatum or a.ingangsdatum,
                        ingangsdatum=a.ingangsdatum,
                        einddatum=a.einddatum,
                        volume=a.volume,
                        eenheid=product.eenheid if product else "",
                        frequentie=a.frequentie,
                    )
                )
            # A claim on an allocation the facts leave out (deleted) gets a deleted allocation.
            for c in claims_k:
                if c.toewijzing is not None and c.toewijzing not in known:
                    known.add(c.toewijzing)
                    product = products.get(c.product)
                    rows.append(
                        Toewijzing(
                            pk=c.toewijzing,
                            gemeente_id=gemeenten[c.gemeente],
                            toewijzingnummer=str(c.toewijzing),
                            client_id=client(c.client, new_clients),
                            aanbieder_id=providers[c.aanbieder],
                            product=product,
                            product_categorie=product.categorie if product else "",
                            product_code=c.product,
                            toewijzingsdatum=c.periode_begin,
                            ingangsdatum=c.periode_begin,
                            einddatum=c.periode_eind,
                            verwijderd=True,
                        )
                    )
            Client.objects.bulk_create(new_clients, batch_size=5000)
            Toewijzing.objects.bulk_create(rows, batch_size=5000)
            del rows, new_clients
            declaraties: dict[tuple[str, str, dt.date], int] = {}
            berichten, heads, batch = [], [], []
            for c in claims_k:
                agb = c.aanbieder
                first = c.periode_begin.replace(day=1)
                key = (agb, c.gemeente, first)
                if key not in declaraties:
                    n = next_pk["bericht"]
                    next_pk["bericht"] += 1
                    declaraties[key] = n
                    last = month_end(first.year, first.month)
                    received = last + dt.timedelta(days=5)
                    berichten.append(
                        Bericht(
                            pk=n,
                            aanlevering=delivery,
                            soort="JW323",
                            afzender=agb,
                            ontvanger=c.gemeente,
                            identificatie=f"D{n}",
                            dagtekening=received,
                        )
                    )
                    heads.append(
                        Declaratie(
                            pk=n,
                            aanbieder_id=providers[agb],
                            gemeente_id=gemeenten[c.gemeente],
                            bericht_id=n,
                            declaratienummer=str(n),
                            periode_begin=first,
                            periode_eind=last,
                            dagtekening=received,
                            totaal_cent=0,
                        )
                    )
                product = products.get(c.product)
                n = next_pk["regel"]
                next_pk["regel"] += 1
                batch.append(
                    DeclaratieRegel(
                        pk=n,
                        declaratie_id=declaraties[key],
                        toewijzing_id=c.toewijzing,
                        client_id=client_pk[c.client],
                        aanbieder_id=providers[agb],
                        gemeente_id=gemeenten[c.gemeente],
                        product=product,
                        referentienummer=f"R{n}",
                        periode_begin=c.periode_begin,
                        periode_eind=c.periode_eind or c.periode_begin,
                        volume=c.volume,
                        eenheid=product.eenheid if product else "",
                        tarief_cent=None,
                        bedrag_cent=c.bedrag_cent,
                        debet_credit="D" if c.bedrag_cent >= 0 else "C",
                    )
                )
                if len(batch) >= 20_000:
                    Bericht.objects.bulk_create(berichten, batch_size=5000)
                    Declaratie.objects.bulk_create(heads, batch_size=5000)
                    DeclaratieRegel.objects.bulk_create(batch, batch_size=5000)
                    lines += len(batch)
                    berichten, heads, batch = [], [], []
            Bericht.objects.bulk_create(berichten, batch_size=5000)
            Declaratie.objects.bulk_create(heads, batch_size=5000)
            DeclaratieRegel.objects.bulk_create(batch, batch_size=5000)
            lines += len(batch)
    return {"loaded": f"{time.perf_counter() - t0:.1f} s", "claim_lines": lines}


def timed(repeat: int, work):
    best, result = None, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = work()
        took = time.perf_counter() - t0
        best = took if best is None else min(best, took)
    return round(best, 2), result


def run_child(args: argparse.Namespace) -> dict:
    import django

    django.setup()
    from jeugdregie.budget.services import calculate_ceilings
    from jeugdregie.budget.settlement import compare, resolve_rule_set, settle

    out = {"scale": args.child_scale, **bulk_load(Path(args.child), args.child_scale)}
    out["ceilings_s"], _ = timed(args.repeat, lambda: calculate_ceilings(2025, 2023))
    for name in ("harde-plafond", "staffel"):
        rules = resolve_rule_set(2025, name)
        seconds, s = timed(args.repeat, lambda rules=rules: settle(2025, rules))
        out[f"settle_2025_{name}_s"] = seconds
        out[f"settle_2025_{name}"] = {
            "groups": len(s.groups),
            "claimed_cents": s.totals["claimed_cents"],
            "paid_cents": s.totals["paid_cents"],
            "norm_lines": s.totals["norm_lines"],
        }
    names = ["harde-plafond", "donut-5", "staffel", "donut-staffel"]
    rule_sets = [resolve_rule_set(2025, n) for n in names]
    out["compare_2025_four_s"], results = timed(args.repeat, lambda: compare(2025, rule_sets))
    out["compare_2025_paid_cents"] = {n: r.totals["paid_cents"] for n, r in zip(names, results, strict=True)}
    calculate_ceilings(2026, 2024)
    rules = resolve_rule_set(2026, "harde-plafond")
    out["settle_2026_outlook_s"], s = timed(
        args.repeat, lambda: settle(2026, rules, as_of=dt.date(2026, 9, 30))
    )
    out["outlook_2026_mid_paid_cents"] = s.totals.get("outlook_mid_paid_cents")
    out["peak_rss_mb"] = peak_rss_mb()
    return out


# ---------------------------------------------------------------- parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--data", type=Path, help="generated demo output to reuse")
    parser.add_argument("--work", type=Path, help="keep the databases here (reused when loaded)")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--child-scale", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(HERE.parent / "src"))
    if args.child:
        print(json.dumps(run_child(args)))
        return
    work = args.work or Path(tempfile.mkdtemp(prefix="settle-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    facts_path = work / "facts.pickle"
    if not facts_path.exists():
        data = demo_data(args.data, work)
        from jeugdregie.demo.kpifacts import read_kpi_facts

        t0 = time.perf_counter()
        facts = read_kpi_facts(data, scale=1)
        print(
            f"read {len(facts.claims):,} claim lines and {len(facts.allocations):,} allocations "
            f"in {time.perf_counter() - t0:.1f} s"
        )
        with open(facts_path, "wb") as fh:
            pickle.dump((list(facts.claims), list(facts.allocations)), fh)
    results = []
    for scale in args.scale:
        env = os.environ.copy()
        env["JEUGDREGIE_VAR_DIR"] = str(work / f"var-{scale}")
        env.pop("DATABASE_URL", None)
        env.setdefault("DJANGO_SETTINGS_MODULE", "jeugdregie.settings")
        command = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--child",
            str(facts_path),
            "--child-scale",
            str(scale),
            "--repeat",
            str(args.repeat),
        ]
        proc = subprocess.run(command, capture_output=True, text=True, env=env)
        if proc.returncode:
            sys.exit(f"scale {scale} failed:\n{proc.stderr}")
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        results.append(result)
        if not args.json:
            print(json.dumps(result, indent=1))
    if args.json:
        print(json.dumps(results))
    print(f"databases in {work}", file=sys.stderr)


if __name__ == "__main__":
    main()
