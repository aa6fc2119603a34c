import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from jeugdregie.accounts.models import Profiel, Rol
from jeugdregie.regio.models import Gemeente, Regio

pytestmark = pytest.mark.django_db


def test_role_scope_rules():
    user = User.objects.create(username="ambtenaar")
    with pytest.raises(ValidationError, match="hoort bij een gemeente"):
        Profiel(user=user, rol=Rol.GEMEENTE).full_clean()
    with pytest.raises(ValidationError, match="hoort bij een aanbieder"):
        Profiel(user=user, rol=Rol.AANBIEDER).full_clean()
    gemeente = Gemeente.objects.create(regio=Regio.objects.create(naam="R"), cbs_code="0983", naam="Venlo")
    Profiel(user=user, rol=Rol.GEMEENTE, gemeente=gemeente).full_clean()
    with pytest.raises(ValidationError, match="Alleen een gemeentegebruiker"):
        Profiel(user=user, rol=Rol.REGIO, gemeente=gemeente).full_clean()
