"""`make run`: database, migrations, seeds, an admin login, a Celery worker, beat and the web server.

Ctrl-C (or SIGTERM) stops everything this command started, the embedded
PostgreSQL included; data stays in the state folder for the next run.
"""

import os
import secrets
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand

from annotations import pipeline
from annotations.management.commands.load_seeds import seeds_load

ADMIN_USERNAME = "admin"


def admin_ensure() -> str:
    """Create the admin once with a random password kept in the state folder; return the login."""
    User = get_user_model()
    password_file = settings.STATE_DIR / "admin_password"
    if User.objects.filter(username=ADMIN_USERNAME).exists():
        if password_file.exists():
            return f"{ADMIN_USERNAME} / {password_file.read_text().strip()}"
        return f"{ADMIN_USERNAME} (password set earlier)"
    password = secrets.token_urlsafe(12)
    User.objects.create_superuser(ADMIN_USERNAME, "", password)
    settings.STATE_DIR.mkdir(parents=True, exist_ok=True)
    fd = os.open(password_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(password)
    return f"{ADMIN_USERNAME} / {password}"


class Command(BaseCommand):
    help = "Run the whole local stack: migrate, load seeds, start a Celery worker and the site."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))

    def handle(self, *args, host, port, **options):
        call_command("migrate", interactive=False, verbosity=0)
        created, existing, failed = seeds_load(settings.BASE_DIR / "seeds", self.stdout, self.stderr)
        self.stdout.write(f"seeds: created={created} existing={existing} failed={failed}")
        login = admin_ensure()
        # The worker reconciles when it starts (and wakes itself); this says what waits for it.
        pipeline.runs_record_missing()
        pending = pipeline.status()["pending"]
        if pending:
            self.stdout.write(f"suggestions pending for {pending} article revision(s)")

        children = [
            subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "newsdesk", "worker",
                 "--loglevel", "INFO", "--concurrency", "2"]
            ),
            # Beat runs the reconciler every minute: whatever a fault left pending gets done.
            subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "newsdesk", "beat", "--loglevel", "WARNING",
                 "--schedule", str(settings.STATE_DIR / "celerybeat-schedule")]
            ),
            subprocess.Popen(
                [sys.executable, str(settings.BASE_DIR / "manage.py"), "runserver",
                 f"{host}:{port}", "--noreload"]
            ),
        ]
        base = f"http://{host}:{port}"
        self.stdout.write(
            "\nNewsdesk is running\n"
            f"  site   {base}/\n"
            f"  admin  {base}/admin/\n"
            f"  login  {login}\n"
            "Press Ctrl-C to stop.\n"
        )
        self.stdout.flush()
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping and all(child.poll() is None for child in children):
                time.sleep(0.3)
        finally:
            for child in children:
                if child.poll() is None:
                    child.terminate()
            for child in children:
                try:
                    child.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    child.kill()
            self._stop_database()
        if not stopping:
            sys.exit("a child process exited; stopped the stack")

    def _stop_database(self):
        from newsdesk import embedded_db

        if settings.EMBEDDED_PGDATA and embedded_db.started_here:
            from django.db import connections

            connections.close_all()
            embedded_db.stop(settings.EMBEDDED_PGDATA)
            self.stdout.write("stopped the embedded PostgreSQL")
