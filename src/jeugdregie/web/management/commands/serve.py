"""Serve the application with waitress (a production-grade pure-Python WSGI server) and whitenoise
for static files, so `jeugdregie serve` behaves the same on a laptop and on a server."""

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Start de webapplicatie (waitress)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args, host, port, threads, **options):
        from waitress import serve

        from jeugdregie.wsgi import application

        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(f"Jeugdregie draait op http://{host}:{port}/ (stoppen met Ctrl+C)")
        self.stdout.flush()
        serve(application, host=host, port=port, threads=threads, ident="jeugdregie")
