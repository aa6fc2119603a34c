"""Test helper shared by the screen tests of several apps: a browser client logged in as one of
the demo region's users (all share the demo password)."""

from __future__ import annotations

from django.test import Client

from jeugdregie.demo import region


def login(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=region.DEMO_WACHTWOORD)
    return client
