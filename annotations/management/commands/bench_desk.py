"""Time the desk pages and the graph API at scale, as a viewer and as an editor.

Fills a separate database (`<name>_desk_bench`) once with N quotes and M endorsements over a
skewed spread of speakers and dates (rows written as orphans, so their words need not be in
an article body), then renders each page in this process through Django's test client and
prints p50/p95 per page and role.
"""

import json
import os
import random
import statistics
import subprocess
import sys
import time

import psycopg
from django.conf import settings
from django.core.management.base import BaseCommand

from annotations.benchmarks.db import bench_database, connection_params

WORDS = ["troops", "election", "support", "taxes", "peace", "deal", "talks", "campaign", "border",
         "budget", "court", "vote", "reform", "war", "trade", "jobs", "health", "oil", "aid", "law"]


class Command(BaseCommand):
    help = "Time /speakers/<id>/, /speakers/, /quotes/, /endorsements/ and the graph API at scale."

    def add_arguments(self, parser):
        parser.add_argument("--quotes", type=int, default=1_000_000)
        parser.add_argument("--endorsements", type=int, default=100_000)
        parser.add_argument("--requests", type=int, default=20, help="requests per page and role")

    def handle(self, *args, quotes, endorsements, requests, **options):
        name, env = bench_database("desk_bench")
        with psycopg.connect(dbname=name, **connection_params()) as conn:
            have = conn.execute("SELECT (SELECT count(*) FROM annotations_quote),"
                                " (SELECT count(*) FROM annotations_endorsement)").fetchone()
            if have != (quotes, endorsements):
                self.stdout.write(f"filling {name} with {quotes:,} quotes and {endorsements:,} endorsements ...")
                started = time.perf_counter()
                self._fill(conn, quotes, endorsements)
                self.stdout.write(f"  filled in {time.perf_counter() - started:.0f} s")
        # The timing runs in a child process on the scratch database (settings are read once).
        code = f"from annotations.management.commands.bench_desk import measure; measure({requests})"
        out = subprocess.run([sys.executable, str(settings.BASE_DIR / "manage.py"), "shell", "-c", code],
                             env={**env, "DJANGO_SETTINGS_MODULE": "annotations.benchmarks.settings"},
                             check=True, capture_output=True, text=True)
        results = json.loads(out.stdout.strip().splitlines()[-1])
        for row in results["pages"]:
            self.stdout.write(f"{row['role']:7} {row['page']:44} p50 {row['p50_ms']:7.1f} ms   "
                              f"p95 {row['p95_ms']:7.1f} ms")
        self.stdout.write(json.dumps({"bench": "desk", "quotes": quotes, "endorsements": endorsements, **results}))

    def _fill(self, conn, n_quotes, n_endorsements):
        rng = random.Random(11)
        n_speakers, per_article = 3000, 20
        n_articles = max(1, n_quotes // per_article)
        with conn.cursor() as cur:
            cur.execute("TRUNCATE annotations_endorsement, annotations_quote, annotations_article,"
                        " annotations_entity CASCADE")
            cur.execute("INSERT INTO annotations_entity (name, kind, description, aliases, created_at, updated_at)"
                        " SELECT 'Party ' || g, 'person', 'bench', ARRAY['P' || g], now(), now()"
                        " FROM generate_series(1, %s) g", [n_speakers])
            speakers = [r[0] for r in cur.execute("SELECT id FROM annotations_entity ORDER BY id")]
            cur.execute("INSERT INTO annotations_article (title, body, outlet, url, published_on, language,"
                        " body_sha256, revision, review, created_at, updated_at)"
                        " SELECT 'Bench article ' || g, 'Body text.', 'Outlet ' || (g %% 40),"
                        " 'https://bench.example/' || g, date '2016-01-01' + (g %% 3000), 'en',"
                        " md5(g::text) || md5(g::text), 1, 'needs_review', now(), now()"
                        " FROM generate_series(1, %s) g", [n_articles])
            articles = [r[0] for r in cur.execute("SELECT id FROM annotations_article ORDER BY id")]

            def skewed():  # a few parties say and back most things
                return speakers[min(int(len(speakers) * rng.random() ** 3), len(speakers) - 1)]

            statuses = ["accepted"] * 16 + ["suggested"] * 3 + ["rejected"]
            columns = ("article_id", "start", "end", "exact", "prefix", "suffix", "cue", "kind", "speaker_id",
                       "status", "anchor", "origin", "engine_version", "created_at", "updated_at")
            with cur.copy(f"COPY annotations_quote ({', '.join(chr(34) + c + chr(34) for c in columns)})"
                          " FROM STDIN") as copy:
                for i in range(n_quotes):
                    words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 15)))
                    copy.write_row((articles[i // per_article % len(articles)], 0, len(words), words, "", "", "said",
                                    "direct",
                                    skewed(), rng.choice(statuses), "orphaned", "engine", "bench",
                                    "2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z"))
            # Endorsements among the 200 busiest parties, so the graph has real weight.
            busy = speakers[:200]
            columns = ("article_id", "endorser_id", "target_id", "target_text", "polarity", "status", "anchor",
                       "exact", "origin", "engine_version", "created_at", "updated_at")
            with cur.copy(f"COPY annotations_endorsement ({', '.join(chr(34) + c + chr(34) for c in columns)})"
                          " FROM STDIN") as copy:
                for i in range(n_endorsements):
                    copy.write_row((rng.choice(articles), busy[min(int(200 * rng.random() ** 2), 199)],
                                    busy[min(int(200 * rng.random() ** 2), 199)], "",
                                    rng.choice(["supports", "opposes"]), rng.choice(statuses), "anchored", "",
                                    "engine", "bench", "2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z"))
        conn.commit()
        # As autovacuum would leave it: statistics, and a visibility map for index-only scans.
        conn.autocommit = True
        conn.execute("VACUUM (ANALYZE)")
        conn.autocommit = False


def measure(requests: int) -> None:
    """Runs inside `manage.py shell` on the scratch database: prints one JSON line."""
    from django.contrib.auth.models import Group, User
    from django.db.models import Count
    from django.test import Client

    from annotations.models import Entity, Quote
    from annotations.roles import groups_ensure

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    groups_ensure()
    busiest = (Quote.objects.values("speaker_id").order_by().annotate(n=Count("id"))
               .order_by("-n")[:1].get()["speaker_id"])
    typical = Entity.objects.order_by("id").values_list("id", flat=True)[500]
    pages = [f"/speakers/{busiest}/", f"/speakers/{typical}/", "/speakers/", "/speakers/?q=party%2012",
             "/quotes/", "/quotes/?q=troops", "/endorsements/", "/endorsements/?min_count=5",
             "/api/v1/endorsements/graph/"]
    results = []
    for role in ("viewers", "editors"):
        user, _ = User.objects.get_or_create(username=f"bench-{role}")
        user.groups.add(Group.objects.get(name=role))
        client = Client()
        client.force_login(user)
        for page in pages:
            times = []
            for _ in range(requests + 1):
                started = time.perf_counter()
                response = client.get(page, SERVER_NAME="127.0.0.1")
                assert response.status_code == 200, (page, response.status_code)
                times.append((time.perf_counter() - started) * 1000)
            times = sorted(times[1:])  # the first warms caches
            results.append({"role": role[:-1], "page": page, "p50_ms": round(statistics.median(times), 1),
                            "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 1)})
    print(json.dumps({"pages": results, "busiest_speaker_quotes": Quote.objects.filter(speaker_id=busiest).count()}))
