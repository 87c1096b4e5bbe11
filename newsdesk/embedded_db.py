"""The embedded PostgreSQL used when DATABASE_URL is unset.

pgserver ships PostgreSQL binaries on PyPI, so a machine with only Python runs
the same database engine as production; there is no second (SQLite) code path.
The server listens on a Unix socket only and keeps its data in the project's
git-ignored state folder.
"""

import logging
import os
from pathlib import Path

DATABASE_NAME = "newsdesk"

# Set when this process booted the server, so the process that started it
# (the run stack, a test session) is the one that stops it.
started_here = False


def _postmaster(pgdata: Path):
    from pgserver.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(pgdata)
    return info if info is not None and info.is_running() else None


def ensure_running(pgdata: Path) -> dict:
    """Start the server if needed and return Django connection settings."""
    global started_here
    import warnings

    # platformdirs warns when XDG_RUNTIME_DIR is unset; pgserver's fallback is fine.
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR", module="platformdirs")
    import pgserver
    import psycopg

    # pgserver logs every step at INFO on the root logger's handlers.
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    was_running = _postmaster(pgdata) is not None
    server = pgserver.get_server(pgdata, cleanup_mode=None)
    started_here = started_here or not was_running
    info = server.get_postmaster_info()
    params = {"host": str(info.socket_dir), "port": info.port, "user": "postgres"}
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DATABASE_NAME,
        "USER": "postgres",
        "HOST": params["host"],
        "PORT": str(params["port"]),
    }


def stop(pgdata: Path) -> None:
    from pgserver._commands import pg_ctl

    if _postmaster(pgdata) is None:
        return
    # pgserver runs the server as the "pgserver" system user when we are root.
    user = "pgserver" if os.geteuid() == 0 else None
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user)
