"""Builders for tests: allocations, starts, stops and claim lines stored as the ingest stores them,
without XML. Used by the tests of several apps (monitoring, budget, web), so kept in one place."""

from __future__ import annotations

import datetime as dt
from itertools import count

from jeugdregie.catalogus.models import Product
from jeugdregie.ijw.models import Aanlevering, Bericht
from jeugdregie.regio.models import Gemeente
from jeugdregie.rules.forecast import month_end as rules_month_end

from .models import Client, Declaratie, DeclaratieRegel, Toewijzing, ZorgStart, ZorgStop


def month_end(day: dt.date) -> dt.date:
    return rules_month_end(day.year, day.month)


class CareRows:
    """`day` is the date of every message unless one is given (the data's date). Creating one
    touches no database, so a test module may keep one at module level."""

    def __init__(self, day: dt.date) -> None:
        self.day = day
        self.numbers = count(1)

    def message(self, soort: str, day: dt.date | None = None) -> Bericht:
        delivery, _ = Aanlevering.objects.get_or_create(
            sha256="d" * 64, defaults={"bestandsnaam": "test", "status": "verwerkt"}
        )
        return Bericht.objects.create(
            aanlevering=delivery,
            soort=soort,
            afzender="0983",
            ontvanger="x",
            identificatie=f"M{next(self.numbers)}",
            dagtekening=day or self.day,
        )

    def client(self, key: str, gemeente: Gemeente) -> Client:
        """A client whose pseudonym is `key` repeated to 64 characters ("a" -> "aaa...")."""
        return Client.objects.create(pseudoniem=(key * 64)[:64], gemeente=gemeente)

    def allocation(
        self,
        client: Client,
        aanbieder,
        nummer: str,
        begin: dt.date,
        end: dt.date | None,
        *,
        product_code: str = "45N01",
        volume: int = 10,
        frequentie: str = "4",
        deleted: bool = False,
        gemeente: Gemeente | None = None,
        toewijzingsdatum: dt.date | None = None,
    ) -> Toewijzing:
        product = Product.objects.get(code=product_code)
        return Toewijzing.objects.create(
            gemeente=gemeente or client.gemeente,
            toewijzingnummer=nummer,
            client=client,
            aanbieder=aanbieder,
            product=product,
            product_categorie=product.categorie,
            product_code=product.code,
            toewijzingsdatum=toewijzingsdatum or begin - dt.timedelta(days=7),
            ingangsdatum=begin,
            einddatum=end,
            volume=volume,
            eenheid=product.eenheid,
            frequentie=frequentie,
            verwijderd=deleted,
        )

    def start(self, toewijzing: Toewijzing, day: dt.date) -> None:
        ZorgStart.objects.create(toewijzing=toewijzing, bericht=self.message("JW305"), begindatum=day)

    def stop(self, toewijzing: Toewijzing, first_day: dt.date, last_day: dt.date, reden: str = "01") -> None:
        ZorgStop.objects.create(
            toewijzing=toewijzing,
            bericht=self.message("JW307"),
            begindatum=first_day,
            einddatum=last_day,
            reden_beeindiging=reden,
        )

    def line(
        self,
        toewijzing: Toewijzing,
        begin: dt.date,
        end: dt.date,
        amount: int,
        *,
        volume: int = 1,
        dc: str = "D",
        received: dt.date | None = None,
    ) -> None:
        """A claim line; `received` is the date of its declaratie (default: the rows' day)."""
        ref = f"R{next(self.numbers)}"
        declaratie = Declaratie.objects.create(
            aanbieder=toewijzing.aanbieder,
            gemeente=toewijzing.gemeente,
            bericht=self.message("JW323", received),
            declaratienummer=ref,
            periode_begin=begin,
            periode_eind=end,
            dagtekening=received or self.day,
            totaal_cent=amount,
        )
        sign = 1 if dc == "D" else -1
        DeclaratieRegel.objects.create(
            declaratie=declaratie,
            toewijzing=toewijzing,
            client=toewijzing.client,
            aanbieder=toewijzing.aanbieder,
            gemeente=toewijzing.gemeente,
            product=toewijzing.product,
            referentienummer=ref,
            periode_begin=begin,
            periode_eind=end,
            volume=sign * volume,
            eenheid=toewijzing.eenheid,
            tarief_cent=amount // volume if volume else None,
            bedrag_cent=sign * amount,
            debet_credit=dc,
        )
