import pytest
from django.test import Client

from jeugdregie.catalogus.models import ProductBoek
from jeugdregie.demo import region
from jeugdregie.demo.loader import load_demo_region

pytestmark = pytest.mark.django_db


@pytest.fixture
def regio_client():
    load_demo_region()
    client = Client()
    assert client.login(username="regio", password=region.DEMO_WACHTWOORD)
    return client


def test_regio_user_sees_the_demo_catalogue_in_the_admin(regio_client):
    page = regio_client.get("/admin/catalogus/product/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Kleinschalige woonleefgroep" in html
    assert "Productcatalogus" in html
    new_book = ProductBoek.objects.get(naam="Productboek 2026")
    product_count = regio_client.get(
        f"/admin/catalogus/product/?boek__id__exact={new_book.pk}"
    ).content.decode()
    assert "19 producten" in product_count


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/contracten/aanbieder/",
        "/admin/contracten/raamovereenkomst/",
        "/admin/catalogus/tarief/",
        "/admin/regio/gemeente/",
        "/admin/ijw/quarantaineitem/",
        "/admin/zorg/toewijzing/",
        "/",
    ],
)
def test_pages_answer_for_the_regio_user(regio_client, url):
    assert regio_client.get(url).status_code == 200


def test_home_requires_login():
    response = Client().get("/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
