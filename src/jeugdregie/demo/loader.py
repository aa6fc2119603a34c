"""Puts the demo region's configuration (jeugdregie.demo.region) in the database. Idempotent."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from jeugdregie.accounts.models import Profiel, Rol
from jeugdregie.catalogus.models import (
    Norm,
    Product,
    ProductBoek,
    ProductGroep,
    ProductMapping,
    Segment,
    Tarief,
)
from jeugdregie.catalogus.services import run_indexation
from jeugdregie.contracten.models import Aanbieder, KpiNorm, Raamovereenkomst
from jeugdregie.regio.models import Gemeente, JeugdigenAantal, Regio

from . import region
from .contract_cases import apply_contract_cases

JEUGDIGEN_JAREN = range(2021, 2028)


@transaction.atomic
def load_demo_region(
    scale: int = 1, *, users: bool = True, contract_cases: bool = True, today: dt.date | None = None
) -> dict[str, int]:
    """`contract_cases`: a few agreements with the dates of real contract management, relative to
    `today` (default: the real date), and one idle C provider (demo.contract_cases)."""
    regio, _ = Regio.objects.get_or_create(naam=region.REGIO_NAAM)
    for spec in region.GEMEENTEN:
        gemeente, _ = Gemeente.objects.update_or_create(
            cbs_code=spec.cbs_code, defaults={"naam": spec.naam, "regio": regio}
        )
        for jaar in JEUGDIGEN_JAREN:
            JeugdigenAantal.objects.get_or_create(
                gemeente=gemeente, jaar=jaar, defaults={"aantal": spec.jeugdigen}
            )

    segmenten = {
        code: Segment.objects.update_or_create(code=code, defaults={"naam": naam})[0]
        for code, naam in region.SEGMENTEN.items()
    }
    products: dict[str, Product] = {}
    for boek_spec in region.BOEKEN:
        boek, _ = ProductBoek.objects.update_or_create(
            naam=boek_spec.naam,
            defaults={"geldig_van": boek_spec.geldig_van, "geldig_tot": boek_spec.geldig_tot},
        )
        groepen = {}
        for code, (segment_code, naam) in region.GROEPEN.items():
            groepen[code], _ = ProductGroep.objects.update_or_create(
                boek=boek,
                code=code,
                defaults={"naam": naam, "segment": segmenten[segment_code] if segment_code else None},
            )
        for p in boek_spec.producten:
            product, _ = Product.objects.update_or_create(
                boek=boek,
                categorie=p.categorie,
                code=p.code,
                defaults={
                    "groep": groepen[p.groep],
                    "naam": p.naam,
                    "eenheid": p.eenheid,
                    "frequentie": p.frequentie,
                    "bekostigingsvorm": p.bekostigingsvorm,
                    "meerwerk_maatwerk": p.meerwerk_maatwerk,
                    "standaard_volume": p.standaard_volume,
                    "standaard_duur_maanden": p.standaard_duur_maanden,
                },
            )
            products[p.code] = product
            Tarief.objects.get_or_create(
                product=product, jaar=boek_spec.geldig_van.year, defaults={"bedrag_cent": p.tarief_cent}
            )
            if p.norm:
                n = p.norm
                Norm.objects.update_or_create(
                    product=product,
                    defaults={
                        "duur_min_maanden": n.duur_min_maanden,
                        "duur_max_maanden": n.duur_max_maanden,
                        "intensiteit_min": Decimal(n.intensiteit_min) if n.intensiteit_min else None,
                        "intensiteit_max": Decimal(n.intensiteit_max) if n.intensiteit_max else None,
                        "tarieffactor_na_normduur": Decimal(n.tarieffactor_na_normduur)
                        if n.tarieffactor_na_normduur
                        else None,
                        "wachttijd_norm_dagen": n.wachttijd_norm_dagen,
                    },
                )
        # Yearly indexation runs within the book's validity, as the region would run them.
        for jaar in region.tariefjaren(boek_spec)[1:]:
            boek_products = [products[p.code] for p in boek_spec.producten]
            if not Tarief.objects.filter(product__in=boek_products, jaar=jaar).exists():
                run_indexation(
                    jaar - 1,
                    jaar,
                    region.INDEXERING.get(jaar, "0"),
                    products=boek_products,
                    toelichting=f"Jaarlijkse indexering {boek_spec.naam}",
                )
    for boek_spec in region.BOEKEN:
        for p in boek_spec.producten:
            if p.nieuw:
                ProductMapping.objects.update_or_create(
                    oud_product=products[p.code], defaults={"nieuw_product": products[p.nieuw]}
                )

    nieuw_boek = region.NIEUW_BOEK
    specs = region.aanbieders(scale)
    for spec in specs:
        aanbieder, _ = Aanbieder.objects.update_or_create(
            agb_code=spec.agb_code,
            defaults={
                "naam": spec.naam,
                "categorie": spec.categorie,
                "is_nga": spec.is_nga,
                "grootteklasse": "micro" if spec.micro else "",
            },
        )
        if spec.is_nga:
            continue
        overeenkomst, created = Raamovereenkomst.objects.get_or_create(
            aanbieder=aanbieder,
            defaults={
                "kenmerk": f"RO-2026-{spec.agb_code}",
                "ingangsdatum": spec.contract_start,
                "ondertekend_op": spec.contract_start.replace(year=spec.contract_start.year - 1, month=9),
            },
        )
        if created:
            overeenkomst.toegelaten_producten.set(
                [products[p.code] for p in nieuw_boek.producten if p.groep in spec.groepen]
            )
    for kpi, (low, high, why) in region.KPI_NORMEN.items():
        KpiNorm.objects.get_or_create(
            aanbieder=None, kpi=kpi, defaults={"minimum": low, "maximum": high, "toelichting": why}
        )
    if contract_cases:
        apply_contract_cases(today)
    if users:
        create_demo_users(specs)
    return {
        "gemeenten": Gemeente.objects.count(),
        "producten": Product.objects.count(),
        "aanbieders": Aanbieder.objects.count(),
        "raamovereenkomsten": Raamovereenkomst.objects.count(),
    }


def create_demo_users(specs) -> None:
    User = get_user_model()
    for username, rol, scope in region.DEMO_GEBRUIKERS:
        user, created = User.objects.get_or_create(username=username)
        if created:
            user.set_password(region.DEMO_WACHTWOORD)
            user.is_staff = rol in (Rol.REGIO, Rol.BEHEER)
            user.is_superuser = rol == Rol.BEHEER
            user.save()
        profiel = {"rol": rol, "gemeente": None, "aanbieder": None}
        if rol == Rol.GEMEENTE:
            profiel["gemeente"] = Gemeente.objects.get(cbs_code=scope)
        elif rol == Rol.AANBIEDER:
            profiel["aanbieder"] = Aanbieder.objects.get(agb_code=specs[int(scope)].agb_code)
        Profiel.objects.update_or_create(user=user, defaults=profiel)
        if rol == Rol.REGIO and created:
            from django.contrib.auth.models import Permission

            user.user_permissions.set(
                Permission.objects.filter(
                    content_type__app_label__in=["regio", "catalogus", "contracten", "zorg", "ijw"]
                )
            )
