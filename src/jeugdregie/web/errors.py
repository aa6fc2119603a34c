"""Dutch error pages in the site's layout (the templates 403.html, 404.html and 500.html are
used by Django's own handlers; a refused form post gets its own page here)."""

from django.shortcuts import render


def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", status=403)


def logged_out(request):
    return render(request, "web/uitgelogd.html")
