"""Production configuration: compose, settings from the environment, check --deploy."""

import importlib
import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import yaml
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def run_manage(*args, env_overrides, cwd=ROOT):
    env = {k: v for k, v in os.environ.items() if k not in env_overrides}
    env.update({k: v for k, v in env_overrides.items() if v is not None})
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_silent_with_debug_off_and_a_secret_key():
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING",
        env_overrides={"DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50),
                       "ALLOWED_HOSTS": "news.example.org"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_without_secret_key_a_random_one_is_kept_in_the_state_folder(tmp_path):
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    overrides = {"SECRET_KEY": None, "NEWSDESK_STATE_DIR": str(tmp_path),
                 "DATABASE_URL": os.environ.get("DATABASE_URL") or "postgres://x@127.0.0.1:1/x"}
    first = run_manage("shell", "-c", code, env_overrides=overrides)
    second = run_manage("shell", "-c", code, env_overrides=overrides)
    assert first.returncode == 0, first.stderr
    key = first.stdout.strip().splitlines()[-1]
    assert len(key) >= 50 and key == second.stdout.strip().splitlines()[-1]
    assert (tmp_path / "secret_key").read_text().strip() == key
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"


def test_no_secret_is_baked_into_the_code():
    source = (ROOT / "newsdesk" / "settings.py").read_text()
    assert not re.search(r"SECRET_KEY\s*=\s*['\"]", source)
    assert "django-insecure" not in source


def test_compose_services_run_commands_and_settings_that_exist():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert services["postgres"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:7")

    web, worker, beat = services["web"], services["worker"], services["beat"]
    # gunicorn serves the WSGI application the project defines.
    module, _, attr = re.search(r"gunicorn (\S+)", web["command"]).group(1).partition(":")
    assert callable(getattr(importlib.import_module(module), attr))
    config = re.search(r"-c python:([\w.]+)", web["command"]).group(1)
    assert callable(importlib.import_module(config).post_worker_init)
    # One gunicorn configuration everywhere: no command line overrides it.
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert f"python:{config}" in dockerfile
    for command in (web["command"], dockerfile):
        assert not re.search(r"--(timeout|workers|bind)\b", command), command
    # Every management command the web service runs exists.
    from django.core.management import get_commands

    for name in re.findall(r"manage\.py (\w+)", web["command"]):
        assert name in get_commands(), name
    # The worker runs the project's Celery app, which knows the suggestion task.
    app_module = re.search(r"celery -A (\S+) worker", worker["command"]).group(1)
    app = importlib.import_module(app_module).celery_app
    app.loader.import_default_modules()
    assert "annotations.tasks.suggestions_drain" in app.tasks
    # Beat runs the same app, whose schedule holds the reconciler, a task the worker knows.
    assert re.search(r"celery -A (\S+) beat", beat["command"]).group(1) == app_module
    scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "annotations.tasks.suggestions_reconcile" in scheduled <= set(app.tasks)

    # Each variable compose sets is one settings.py reads, and the ones that
    # production needs are all set.
    settings_source = (ROOT / "newsdesk" / "settings.py").read_text()
    read = {
        a or b
        for a, b in re.findall(r"environ(?:\.get)?\(\s*\"(\w+)\"|env_(?:bool|list)\(\"(\w+)\"", settings_source)
    }
    for service in (web, worker, beat):
        env = service["environment"]
        assert set(env) <= read, set(env) - read
        assert {"DATABASE_URL", "CELERY_BROKER_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS"} <= set(env)
        assert env["DEBUG"] == "0"
        assert "@postgres:5432/" in env["DATABASE_URL"]
        assert env["CELERY_BROKER_URL"].startswith("redis://redis:6379")
        assert set(service["depends_on"]) == {"postgres", "redis"}
    assert (ROOT / "Dockerfile").exists()


def test_migrations_are_complete():
    result = run_manage("makemigrations", "--check", "--dry-run", env_overrides={})
    assert result.returncode == 0, result.stdout + result.stderr


# Run in a process of its own with DEBUG=0, so settings.py computes the production security
# settings from the environment (this process turns them off for the tests; see conftest).
PRODUCTION_REQUESTS = r"""
import json
from django.contrib.auth.models import User
from django.test import Client

User.objects.create_user("ops", password="a-long-enough-password-1")
client = Client(HTTP_HOST="news.example.org")
plain = client.get("/login/")
https = {"HTTP_X_FORWARDED_PROTO": "https"}
page = client.get("/login/", **https)
login = client.post("/login/", {"username": "ops", "password": "a-long-enough-password-1"}, **https)
cookie = lambda response, name: {k: response.cookies[name][k] for k in ("secure", "httponly", "samesite")}
print(json.dumps({
    "plain": [plain.status_code, plain.get("Location"), plain.has_header("Strict-Transport-Security")],
    "https": [page.status_code, page.get("Strict-Transport-Security")],
    "csrf_cookie": cookie(page, "csrftoken"),
    "login": [login.status_code, login.get("Location")],
    "session_cookie": cookie(login, "sessionid"),
}))
"""


def test_production_settings_redirect_http_and_secure_https(transactional_db):
    """DEBUG off, nothing else set: plain HTTP is sent to HTTPS; behind the proxy (X-Forwarded-Proto:
    https) pages are served with HSTS, and the session and CSRF cookies are Secure."""
    from tests.pipeline_procs import database_url

    url = database_url()  # the test database, on a socket too (the embedded PostgreSQL)
    result = run_manage("shell", "-c", PRODUCTION_REQUESTS, env_overrides={
        "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "news.example.org",
        "DATABASE_URL": url, "SECURE_SSL_REDIRECT": None, "SESSION_COOKIE_SECURE": None,
        "CSRF_COOKIE_SECURE": None, "SECURE_HSTS_SECONDS": None})
    assert result.returncode == 0, result.stdout + result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["plain"] == [301, "https://news.example.org/login/", False]
    assert seen["https"] == [200, "max-age=31536000; includeSubDomains; preload"]
    assert seen["csrf_cookie"]["secure"] is True
    assert seen["login"] == [302, "/articles/"]
    assert seen["session_cookie"]["secure"] is True and seen["session_cookie"]["httponly"] is True
