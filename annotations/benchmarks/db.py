"""A scratch database beside the configured one, so benchmarks never touch real data."""

import os
import subprocess
import sys
import urllib.parse

import psycopg
from django.conf import settings


def connection_params() -> dict:
    db = settings.DATABASES["default"]
    return {"host": db["HOST"] or None, "port": db["PORT"] or None, "user": db["USER"],
            "password": db.get("PASSWORD") or None}


def bench_database(suffix: str = "bench") -> tuple[str, dict]:
    """Create (once) and migrate `<name>_<suffix>`; returns (name, environment for subprocesses)."""
    params = connection_params()
    name = f"{settings.DATABASES['default']['NAME']}_{suffix}"
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname=%s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    host = urllib.parse.quote(params["host"] or "127.0.0.1", safe="")
    password = f":{urllib.parse.quote(params['password'])}" if params["password"] else ""
    url = f"postgres://{params['user']}{password}@{host}:{params['port'] or 5432}/{name}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "annotations.benchmarks.settings"}
    subprocess.run([sys.executable, str(settings.BASE_DIR / "manage.py"), "migrate", "-v0"], env=env, check=True)
    return name, env
