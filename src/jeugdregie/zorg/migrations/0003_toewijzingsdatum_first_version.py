"""An allocation's toewijzingsdatum is the date it was first issued. Ingest used to overwrite it with
each change's date; restore it from the change history (the earliest version's date)."""

from django.db import migrations
from django.db.models import Min, OuterRef, Subquery


def restore_first_date(apps, schema_editor):
    Toewijzing = apps.get_model("zorg", "Toewijzing")
    ToewijzingWijziging = apps.get_model("zorg", "ToewijzingWijziging")
    first = (
        ToewijzingWijziging.objects.filter(toewijzing=OuterRef("pk"))
        .values("toewijzing")
        .annotate(d=Min("toewijzingsdatum"))
        .values("d")
    )
    Toewijzing.objects.filter(pk__in=ToewijzingWijziging.objects.values("toewijzing")).update(
        toewijzingsdatum=Subquery(first)
    )


class Migration(migrations.Migration):
    dependencies = [("zorg", "0002_toewijzing_referentie")]

    operations = [migrations.RunPython(restore_first_date, migrations.RunPython.noop)]
