from django.db import migrations


class Migration(migrations.Migration):
    """The applicant's name is an organisation's: named so, apart from any person's name
    (zorg.tests.test_privacy)."""

    dependencies = [
        ("contracten", "0007_open_house"),
    ]

    operations = [
        migrations.RenameField(model_name="aanvraag", old_name="naam", new_name="organisatienaam"),
    ]
