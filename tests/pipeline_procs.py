"""Real worker processes, brokers and articles for the pipeline's fault tests."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

from django.db import connection
from django.db.models import Count

from annotations import pipeline
from annotations.models import Article, Quote, SuggestionRun
from annotations.text import body_sha256
from newsdesk.celery import app as celery_app

ROOT = Path(__file__).resolve().parent.parent
FIRST = ["Maria", "John", "Amina", "Pedro", "Lena", "Omar", "Grace", "Tariq"]
LAST = ["Lopez", "Carter", "Yusuf", "Alvarez", "Novak", "Haddad", "Okafor", "Brennan"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url() -> str:
    """The test database, for processes started from a test."""
    d = connection.settings_dict
    host = quote(d["HOST"] or "127.0.0.1", safe="")
    password = f":{quote(d['PASSWORD'], safe='')}" if d.get("PASSWORD") else ""
    return f"postgres://{d['USER']}{password}@{host}:{d['PORT'] or 5432}/{d['NAME']}"


def body(i: int) -> str:
    a = f"{FIRST[i % 8]} {LAST[(i // 8) % 8]}"
    b = f"{FIRST[(i + 3) % 8]} {LAST[(i // 3) % 8]}"
    return (f"Council report number {i}. “We will repair road {i} before winter,” {a} said on Monday.\n\n"
            f"Residents were unconvinced. “The plan for road {i} is a waste of money,” {b} told reporters.")


def articles_make(n: int, offset: int = 0) -> list[int]:
    """n articles with pending runs, written in bulk (as an import does) and woken by nobody."""
    made = Article.objects.bulk_create(
        [Article(title=f"Report {i}", body=body(i), body_sha256=body_sha256(body(i)))
         for i in range(offset, offset + n)], batch_size=1000)
    pipeline.runs_record_missing()
    return [a.id for a in made]


def done_count() -> int:
    return SuggestionRun.objects.filter(status=SuggestionRun.State.DONE).count()


def assert_each_done_once(ids: list[int]) -> None:
    """Every article has exactly one run for its revision, done, and exactly its quotes."""
    runs = list(SuggestionRun.objects.filter(article_id__in=ids))
    assert len(runs) == len(ids), f"{len(runs)} runs for {len(ids)} articles"
    states = {r.status for r in runs}
    assert states == {SuggestionRun.State.DONE}, states
    counts = dict(Quote.objects.filter(article_id__in=ids).values_list("article_id")
                  .annotate(n=Count("id")).order_by())
    wrong = [r.article_id for r in runs if counts.get(r.article_id, 0) != r.quotes or r.quotes != 2]
    assert not wrong, f"articles with missing or doubled quotes: {wrong[:10]}"


def process_env(state: Path, broker: str = "", **extra: str) -> dict:
    """The environment of a project process that shares this test's database and queue."""
    return {**os.environ, "DATABASE_URL": database_url(), "CELERY_BROKER_URL": broker,
            "CELERY_QUEUE": celery_app.conf.task_default_queue, "NEWSDESK_STATE_DIR": str(state),
            "SUGGEST_RECONCILE_SECONDS": "2", "LOG_LEVEL": "INFO", **extra}


class Worker:
    """`celery worker` (with beat inside, reconciling every 2 s) in its own process group."""

    def __init__(self, tmp: Path, name: str, broker: str = "", concurrency: int = 2, beat: bool = True,
                 extra_env: dict | None = None):
        self.state = tmp / name
        self.state.mkdir(parents=True, exist_ok=True)
        self.log = open(self.state / "worker.log", "ab")
        self.env = process_env(self.state, broker, **(extra_env or {}))
        self.args = [sys.executable, "-m", "celery", "-A", "newsdesk", "worker", "-n", f"{name}@%h",
                     "--concurrency", str(concurrency), "--loglevel", "INFO", "--without-gossip",
                     "--without-mingle", "--without-heartbeat"]
        if beat:
            self.args += ["-B", "--schedule", str(self.state / "beat-schedule")]
        self.proc = None

    def start(self) -> "Worker":
        self.proc = subprocess.Popen(self.args, cwd=ROOT, env=self.env, stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        return self

    def kill(self) -> None:
        """SIGKILL the worker and its pool children at once: a crash, an OOM kill."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def children(self) -> list[int]:
        out = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True).stdout
        return [int(p) for p in out.split()]

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()

    def output(self, tail: int | None = 4000) -> str:
        text = (self.state / "worker.log").read_text(errors="replace")
        return text[-tail:] if tail else text


class RedisServer:
    """A redis-server of the test's own, which the test may stop and start again."""

    def __init__(self, tmp: Path):
        self.binary = shutil.which("redis-server")
        self.port = free_port()
        self.dir = tmp / f"redis-{self.port}"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.proc = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "RedisServer":
        # Persistence on, so queued messages survive a stop as they would in production.
        self.proc = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.dir),
             "--appendonly", "yes", "--save", ""],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


def wait_until(predicate, timeout: float, what: str, worker: Worker | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.25)
    tail = worker.output() if worker else ""
    raise AssertionError(f"{what} not within {timeout} s\n{tail}")


class OwnPostgres:
    """A PostgreSQL server of the test's own (pgserver's binaries), to stop and start again."""

    def __init__(self):
        import tempfile

        # The server runs as its own user when we are root: its folder must be reachable.
        self.root = Path(tempfile.mkdtemp(prefix="newsdesk-pg-"))
        self.root.chmod(0o755)
        self.pgdata = self.root / "data"

    @property
    def url(self) -> str:
        return f"postgres://postgres@{quote(str(self.pgdata), safe='')}:5432/faults"

    def start(self) -> "OwnPostgres":
        # A fresh process each time: pgserver remembers servers it started in-process.
        subprocess.run([sys.executable, "-c", "import sys, pgserver; pgserver.get_server(sys.argv[1], "
                        "cleanup_mode=None)", str(self.pgdata)], check=True, timeout=120,
                       capture_output=True)
        return self

    def stop(self) -> None:
        from newsdesk import embedded_db

        embedded_db.stop(self.pgdata)

    def sql(self, query: str, dbname: str = "faults"):
        import psycopg

        with psycopg.connect(host=str(self.pgdata), dbname=dbname, user="postgres", autocommit=True) as conn:
            cursor = conn.execute(query)
            return cursor.fetchall() if cursor.description else None

    def manage(self, *args: str) -> str:
        env = {**os.environ, "DATABASE_URL": self.url}
        result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)
