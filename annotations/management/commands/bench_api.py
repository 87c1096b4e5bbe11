"""Benchmark the quote API at scale against a bare values()+orjson view, under gunicorn.

Fills a separate database (`<name>_bench`) with N quotes over a skewed spread of
speakers, outlets and dates (once; later runs reuse it), then prints p50/p95
latency and requests per second for each query, and the API/bare ratio.
"""

import json
import random
import subprocess
import sys
import time
import urllib.parse

import psycopg
from django.conf import settings
from django.core.management.base import BaseCommand

from annotations.benchmarks.db import bench_database, connection_params
from annotations.benchmarks.load import free_port, latency, throughput, wait_for_server

SYLLABLES = ["ta", "li", "ban", "cam", "pa", "ign", "vo", "ter", "se", "nate", "bud", "get", "tax",
             "war", "peace", "trade", "deal", "law", "court", "rig", "ht", "care", "job", "gro", "wth"]


def _vocabulary(rng, size=4000):
    words = set()
    while len(words) < size:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 3))))
    return sorted(words)


class Command(BaseCommand):
    help = "Benchmark /api/v1/quotes/ at scale (p50, p95, requests/s) against a bare view."

    def add_arguments(self, parser):
        parser.add_argument("--quotes", type=int, default=1_000_000)
        parser.add_argument("--requests", type=int, default=1000, help="sequential requests per query")
        parser.add_argument("--seconds", type=float, default=5.0, help="throughput window per query")
        parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")

    def handle(self, *args, quotes, requests, seconds, workers, **options):
        name, env = bench_database()
        params = connection_params()
        manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]

        with psycopg.connect(dbname=name, **params) as conn:
            have = conn.execute("SELECT count(*) FROM annotations_quote").fetchone()[0]
            if have < quotes:
                self.stdout.write(f"filling {name} with {quotes:,} quotes (once) ...")
                started = time.perf_counter()
                self._fill(conn, quotes)
                self.stdout.write(f"  filled in {time.perf_counter() - started:.0f} s")
            token = self._token(env, manage)
            speaker = conn.execute(
                "SELECT speaker_id FROM annotations_quote WHERE status='accepted' GROUP BY 1 "
                "ORDER BY count(*) DESC LIMIT 1 OFFSET 20").fetchone()[0]
            words = self._words(conn)
            total = conn.execute("SELECT count(*) FROM annotations_quote").fetchone()[0]
            deep_id = conn.execute(
                "SELECT id FROM annotations_quote WHERE status='accepted' ORDER BY id DESC "
                "OFFSET %s LIMIT 1", [total // 2]).fetchone()[0]

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "newsdesk.wsgi:application", "-c", "python:newsdesk.gunicorn_conf",
             "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--log-level", "warning"],
            env=env, cwd=settings.BASE_DIR)
        try:
            wait_for_server(base)
            headers = {"Authorization": f"Token {token}"}
            cursor = self._cursor_before(base, headers, deep_id)
            cases = {
                f"speaker={speaker}, 100 a page": ([f"/api/v1/quotes/?speaker={speaker}&page_size=100"],
                                       [f"/bare/quotes/?speaker={speaker}&page_size=100"]),
                **{f"q={word}, {hits:,} hits, 50 a page": ([f"/api/v1/quotes/?q={word}"], [f"/bare/quotes/?q={word}"])
                   for word, hits in words},
                "cursor mid-list, 100 a page": ([f"/api/v1/quotes/?page_size=100&cursor={urllib.parse.quote(cursor)}"],
                                                     [f"/bare/quotes/?page_size=100&before={deep_id}"]),
            }
            results = []
            for label, (api_paths, bare_paths) in cases.items():
                row = {"query": label, **latency(base, api_paths, headers, requests),
                       "rps": throughput(base, api_paths, headers, seconds, threads=workers + 1)}
                if bare_paths:
                    bare = latency(base, bare_paths, headers, requests)
                    row.update(bare_p50_ms=bare["p50_ms"], bare_p95_ms=bare["p95_ms"],
                               bare_rps=throughput(base, bare_paths, headers, seconds, threads=workers + 1))
                    row["p95_ratio"] = round(row["p95_ms"] / row["bare_p95_ms"], 2)
                results.append(row)
        finally:
            server.terminate()
            server.wait(timeout=30)

        self.stdout.write(f"\n{total:,} quotes, gunicorn --workers {workers}, {requests} sequential requests\n")
        self.stdout.write(f"{'query':44} {'p50':>8} {'p95':>8} {'req/s':>8} {'bare p95':>9} {'bare req/s':>10} {'ratio':>6}")
        for r in results:
            self.stdout.write(
                f"{r['query'][:44]:44} {r['p50_ms']:8.1f} {r['p95_ms']:8.1f} {r['rps']:8.0f} "
                f"{r.get('bare_p95_ms', float('nan')):9.1f} {r.get('bare_rps', float('nan')):10.0f} "
                f"{r.get('p95_ratio', float('nan')):6.2f}")
        self.stdout.write(json.dumps({"quotes": total, "results": results}))

    def _fill(self, conn, n):
        rng = random.Random(7)
        vocab = _vocabulary(rng)
        n_speakers, n_articles, per_article = 3000, max(1, n // 20), 20
        with conn.cursor() as cur:
            cur.execute("TRUNCATE annotations_quote, annotations_article, annotations_entity CASCADE")
            cur.execute(
                "INSERT INTO annotations_entity (name, kind, description, aliases, created_at, updated_at) "
                "SELECT 'Speaker ' || g, 'person', 'bench speaker', '{}', now(), now() "
                "FROM generate_series(1, %s) g", [n_speakers])
            speaker_ids = [r[0] for r in cur.execute("SELECT id FROM annotations_entity ORDER BY id")]
            cur.execute(
                "INSERT INTO annotations_article (title, body, outlet, url, published_on, language, "
                "body_sha256, revision, review, created_at, updated_at) "
                "SELECT 'Bench article ' || g, repeat('Body text. ', 300), 'Outlet ' || (g %% 40), "
                "'https://bench.example/' || g, date '2016-01-01' + (g %% 3000), 'en', "
                "md5(g::text) || md5(g::text), 1, 'needs_review', now(), now() "
                "FROM generate_series(1, %s) g", [n_articles])
            article_ids = [r[0] for r in cur.execute("SELECT id FROM annotations_article ORDER BY id")]
            columns = ("article_id", "start", "end", "exact", "prefix", "suffix", "kind", "speaker_id",
                       "status", "origin", "engine_version", "confidence", "cue", "created_at", "updated_at")
            statuses = ["accepted"] * 16 + ["suggested"] * 3 + ["rejected"]
            with cur.copy(f"COPY annotations_quote ({', '.join(chr(34) + c + chr(34) for c in columns)}) "
                          "FROM STDIN") as copy:
                for i in range(n):
                    words = " ".join(vocab[min(int(rng.paretovariate(1.1)) - 1, len(vocab) - 1)]
                                     if rng.random() < 0.5 else rng.choice(vocab)
                                     for _ in range(rng.randint(6, 25)))
                    speaker = speaker_ids[min(int(len(speaker_ids) * rng.random() ** 3), len(speaker_ids) - 1)]
                    start = rng.randint(0, 2000)
                    copy.write_row((article_ids[i // per_article % len(article_ids)], start, start + len(words),
                                    words, "", "", rng.choice(["direct", "indirect", "mixed"]), speaker,
                                    rng.choice(statuses), "engine", "bench", round(rng.random(), 3), "said",
                                    "2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z"))
        conn.commit()
        conn.execute("ANALYZE")

    def _words(self, conn):
        """Two search words: one in about 1% of the quotes and a rarer one, in a few per
        thousand (the commonest that a 2% sample holds at most 200 and 20 times)."""
        found = []
        for sampled in (200, 20):
            word = conn.execute(
                "SELECT word FROM ts_stat($$SELECT search_vector FROM annotations_quote "
                "TABLESAMPLE SYSTEM (2) REPEATABLE (7)$$) WHERE ndoc <= %s ORDER BY ndoc DESC LIMIT 1",
                [sampled]).fetchone()[0]
            hits = conn.execute("SELECT count(*) FROM annotations_quote WHERE search_vector @@ "
                                "websearch_to_tsquery('english'::regconfig, %s)", [word]).fetchone()[0]
            found.append((word, hits))
        return found

    def _token(self, env, manage):
        code = ("from django.contrib.auth.models import User, Group; from rest_framework.authtoken.models import Token;"
                "u,_=User.objects.get_or_create(username='bench-viewer'); u.groups.add(Group.objects.get(name='viewers'));"
                "print(Token.objects.get_or_create(user=u)[0].key)")
        out = subprocess.run([*manage, "shell", "-c", code], env=env, check=True, capture_output=True, text=True)
        return out.stdout.strip().splitlines()[-1]

    def _cursor_before(self, base, headers, deep_id):
        """A real API cursor pointing at `deep_id`, as a client paging that far would hold."""
        from rest_framework.pagination import Cursor

        from annotations.api.views import Pagination

        pagination = Pagination()
        pagination.base_url = f"{base}/api/v1/quotes/"
        encoded = pagination.encode_cursor(Cursor(offset=0, reverse=False, position=str(deep_id)))
        return urllib.parse.parse_qs(urllib.parse.urlsplit(encoded).query)["cursor"][0]
