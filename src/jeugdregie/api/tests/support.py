"""Clients of the API for the tests: a demo user's token (how systems call the API)."""

from __future__ import annotations

from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

ROLES = ("regio", "gemeente-venlo", "aanbieder", "verwijzer", "beheer")
ENDPOINTS = ("kpi", "plafonds", "prognoses", "signalen", "stoplicht")


def token_client(username: str) -> APIClient:
    token, _ = Token.objects.get_or_create(user=User.objects.get(username=username))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def get(username: str, url: str):
    """The response and its JSON body."""
    response = token_client(username).get(url)
    assert response["Content-Type"] == "application/json", (url, response["Content-Type"])
    return response, response.json()
