import json

from django.core.management.base import BaseCommand, CommandError

from jeugdregie.budget.services import calculate_ceilings


def euro(cents: int) -> str:
    return f"{cents / 100:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")


class Command(BaseCommand):
    help = "Berekent de budgetplafonds per aanbieder en productgroep uit een referentiejaar (SYSTEM.md paragraaf 8)."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--reference-year", type=int, required=True)
        parser.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, *args, year, reference_year, as_json, **options):
        if reference_year >= year:
            raise CommandError("Het referentiejaar ligt voor het plafondjaar.")
        try:
            plafonds, c_budget = calculate_ceilings(year, reference_year)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        rows = [
            {
                "aanbieder": p.aanbieder.agb_code,
                "naam": p.aanbieder.naam,
                "categorie": p.aanbieder.categorie,
                "groep": p.groep.code,
                "referentie_cent": p.referentie_cent,
                "berekend_cent": p.berekend_cent,
                "plafond_cent": p.bedrag_cent,
                "basis": p.basis,
                "handmatig": p.handmatig,
                "per_gemeente": {
                    v.gemeente.cbs_code: v.bedrag_cent for v in p.verdeling.select_related("gemeente")
                },
            }
            for p in plafonds
        ]
        total = sum(r["plafond_cent"] for r in rows)
        if as_json:
            self.stdout.write(
                json.dumps(
                    {
                        "year": year,
                        "reference_year": reference_year,
                        "ceilings": rows,
                        "total_cent": total,
                        "c_budget_cent": c_budget.bedrag_cent,
                    }
                )
            )
            return
        self.stdout.write(f"Budgetplafonds {year} (referentiejaar {reference_year})")
        self.stdout.write(f"{'aanbieder':<46}{'groep':<7}{'referentie':>16}{'plafond':>16}  basis")
        for r in rows:
            mark = " (handmatig)" if r["handmatig"] else ""
            self.stdout.write(
                f"{r['naam'][:45]:<46}{r['groep']:<7}{euro(r['referentie_cent']):>16}"
                f"{euro(r['plafond_cent']):>16}  {r['basis']}{mark}"
            )
        self.stdout.write(
            f"Totaal plafonds A/B: EUR {euro(total)}; regionaal C-budget: EUR {euro(c_budget.bedrag_cent)}"
        )
