"""Import speed: N synthetic articles (about 3 KB each) through `import_articles`, against a
raw PostgreSQL COPY of the same rows into a scratch table, in the same run."""

import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
from django.conf import settings
from django.core.management.base import BaseCommand

from annotations.benchmarks.db import bench_database, connection_params

WORDS = ("the council said budget vote minister plan tax border schools jobs will must never our people "
         "now election campaign senator governor reform health trade economy policy report court").split()


def synthetic_rows(n: int, seed: int = 5):
    rng = random.Random(seed)
    for i in range(n):
        paragraphs = []
        while sum(len(p) for p in paragraphs) < 2900:
            words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 60)))
            paragraphs.append(f"“{words.capitalize()},” Speaker {rng.randint(1, 500)} said.")
        yield {"title": f"Synthetic article {i}", "body": "\n\n".join(paragraphs),
               "url": f"https://synthetic.example/{seed}/{i}", "outlet": f"Outlet {i % 40}",
               "published_on": f"20{rng.randint(10, 24)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"}


class Command(BaseCommand):
    help = "Benchmark import_articles against a raw COPY of the same rows."

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=100_000)
        parser.add_argument("--batch-size", type=int, default=2000)

    def handle(self, *args, articles, batch_size, **options):
        name, env = bench_database("import_bench")
        params = connection_params()
        with psycopg.connect(dbname=name, autocommit=True, **params) as conn:
            conn.execute("TRUNCATE annotations_article CASCADE")
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "articles.jsonl"
            with path.open("w", encoding="utf-8") as fh:
                for row in synthetic_rows(articles):
                    fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            size_mb = path.stat().st_size / 1024**2

            started = time.perf_counter()
            result = subprocess.run(
                [sys.executable, str(settings.BASE_DIR / "manage.py"), "import_articles", str(path),
                 "--no-suggest", "--batch-size", str(batch_size)], env=env, capture_output=True, text=True)
            import_s = time.perf_counter() - started
            # Peak memory of the import process (Linux reports KiB): flat however big the file.
            peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            last = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr[-500:]

            with psycopg.connect(dbname=name, autocommit=True, **params) as conn:
                conn.execute("DROP TABLE IF EXISTS copy_scratch")
                conn.execute("CREATE UNLOGGED TABLE copy_scratch (LIKE annotations_article INCLUDING DEFAULTS)")
                conn.execute("DROP TABLE copy_scratch")
                conn.execute("CREATE TABLE copy_scratch (title text, body text, url text, outlet text, "
                             "published_on date)")
                started = time.perf_counter()
                with conn.cursor() as cur, cur.copy(
                        "COPY copy_scratch (title, body, url, outlet, published_on) FROM STDIN") as copy:
                    with path.open(encoding="utf-8") as fh:
                        for line in fh:
                            row = json.loads(line)
                            copy.write_row((row["title"], row["body"], row["url"], row["outlet"], row["published_on"]))
                copy_s = time.perf_counter() - started
                conn.execute("DROP TABLE copy_scratch")
        out = {"articles": articles, "file_mb": round(size_mb, 1), "import_seconds": round(import_s, 1),
               "import_articles_per_s": round(articles / import_s), "copy_seconds": round(copy_s, 1),
               "copy_articles_per_s": round(articles / copy_s), "ratio": round(import_s / copy_s, 2),
               "import_peak_rss_mb": round(peak_mb), "import_result": last}
        self.stdout.write(f"import_articles: {articles:,} articles ({size_mb:.0f} MB) in {import_s:.1f}s = "
                          f"{out['import_articles_per_s']:,}/s   [{last}]")
        self.stdout.write(f"import process peak memory: {peak_mb:.0f} MB for a {size_mb:.0f} MB file")
        self.stdout.write(f"raw COPY:        {articles:,} rows in {copy_s:.1f}s = {out['copy_articles_per_s']:,}/s")
        self.stdout.write(f"import takes {out['ratio']}x the COPY time")
        self.stdout.write(json.dumps(out))
