"""SYSTEM.md section 6: never a BSN, name, address or contact field in any stored model."""

import re

from django.apps import apps

FORBIDDEN = re.compile(
    r"(bsn|burgerservice|voornaam|voornamen|achternaam|geslachtsnaam|naam_client|^naam$|adres|straat|postcode|"
    r"huisnummer|telefoon|email|e_mail|geboortedatum)",
    re.IGNORECASE,
)
# Models whose `naam` names an organisation, a municipality, a catalogue item or a settlement rule
# set, never a person.
ORGANISATION_NAMES = {
    "budget.Regelset",
    "regio.Regio",
    "regio.Gemeente",
    "catalogus.ProductBoek",
    "catalogus.Segment",
    "catalogus.ProductGroep",
    "catalogus.Product",
    "contracten.Aanbieder",
}
# Django's own user model holds staff accounts (not clients); it is not care data.
NOT_CLIENT_DATA = {
    "auth.User",
    "auth.Group",
    "auth.Permission",
    "admin.LogEntry",
    "sessions.Session",
    "contenttypes.ContentType",
}


def test_no_model_stores_a_bsn_name_address_or_contact_data():
    offenders = []
    for model in apps.get_models():
        label = model._meta.label
        if label in NOT_CLIENT_DATA:
            continue
        for field in model._meta.get_fields():
            name = getattr(field, "name", "")
            if not FORBIDDEN.search(name):
                continue
            if name == "naam" and label in ORGANISATION_NAMES:
                continue
            offenders.append(f"{label}.{name}")
    assert offenders == []


def test_client_model_keeps_only_pseudonym_birth_year_month_gender_municipality():
    client = apps.get_model("zorg", "Client")
    fields = {f.name for f in client._meta.concrete_fields}
    assert fields == {"id", "pseudoniem", "geboortejaar", "geboortemaand", "geslacht", "gemeente"}
