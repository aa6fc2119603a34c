"""Login throttling (django-axes) for logins through the web: after AXES_FAILURE_LIMIT wrong
passwords the username is locked out from that address for AXES_COOLOFF_TIME."""

from axes.backends import AxesStandaloneBackend


class LoginThrottleBackend(AxesStandaloneBackend):
    """Axes refuses an authentication without a request; logins that do not come from a web request
    (the test client's `login`, management commands) have no address to throttle and pass through to
    the next backend, which checks the password as always."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def lockout_response(request, original_response=None, credentials=None):
    """The Dutch page for a locked-out login (HTTP 429), in the site's layout."""
    from axes.helpers import get_client_username, get_cool_off
    from django.conf import settings
    from django.shortcuts import render

    cool_off = get_cool_off(request)
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "username": get_client_username(request, credentials) or "",
        "minuten": round(cool_off.total_seconds() / 60) if cool_off else None,
    }
    return render(request, "registration/geblokkeerd.html", context, status=429)
