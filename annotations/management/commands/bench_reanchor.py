"""Re-anchoring speed: an article (2,000 words on one line by default) with 200 annotations, 10%
of its words edited.

Prints the median time of the pure re-anchoring (annotations/anchoring.py) and of the whole
body-change service (save, database checks, re-anchor, history), the latter in a scratch
database beside the configured one."""

import json
import random
import statistics
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from annotations import anchoring
from annotations.benchmarks.db import bench_database

WORDS = ("the council said budget vote plan tax border schools jobs will must never our people now "
         "minister mayor bridge road report statement campaign group support reject policy").split()


def article_and_spans(rng: random.Random, words: int = 2000, spans: int = 200):
    """Made-up news-like text (no corpus text) and annotation spans over whole words."""
    tokens = [rng.choice(WORDS) for _ in range(words)]
    for i in range(0, words, 25):
        tokens[i] = tokens[i].capitalize()
        tokens[i - 1 if i else 0] += "."
    text = " ".join(tokens)
    starts = [0]
    for token in tokens[:-1]:
        starts.append(starts[-1] + len(token) + 1)
    chosen = []
    for _ in range(spans):
        first = rng.randrange(words - 15)
        last = first + rng.randint(3, 14)
        start, end = starts[first], starts[last] + len(tokens[last])
        chosen.append((start, end))
    return text, chosen


def edit_tenth(rng: random.Random, text: str) -> str:
    """Replace, insert or delete runs of words until about 10% of the words changed."""
    tokens = text.split(" ")
    budget = len(tokens) // 10
    while budget > 0:
        at, run = rng.randrange(len(tokens) - 10), rng.randint(1, 8)
        kind = rng.choice(["replace", "insert", "delete"])
        if kind == "replace":
            tokens[at:at + run] = [rng.choice(WORDS).upper() for _ in range(run)]
        elif kind == "insert":
            tokens[at:at] = [rng.choice(WORDS) for _ in range(run)]
        else:
            del tokens[at:at + run]
        budget -= run
    return " ".join(tokens)


class Command(BaseCommand):
    help = "Benchmark re-anchoring annotations after a 10% edit of an article (default 200 in 2,000 words)."

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=20)
        parser.add_argument("--words", type=int, default=2000,
                            help="article length (one line, as a body scraped without its paragraphs)")
        parser.add_argument("--annotations", type=int, default=200)
        parser.add_argument("--service-here", action="store_true", help="(internal) time the service here")

    def handle(self, *args, repeat, service_here, words, annotations, **options):
        if words < 50 or annotations < 1:
            raise CommandError("--words must be 50 or more, --annotations 1 or more")
        rng = random.Random(7)
        cases = []
        for _ in range(repeat):
            text, spans = article_and_spans(rng, words, annotations)
            cases.append((text, spans, edit_tenth(rng, text)))
        if service_here:
            self.stdout.write(json.dumps(self._service(cases)))
            return
        times, placed = [], {}
        for text, spans, new in cases:
            anchors = [anchoring.Anchor(s, e, text[s:e], text[max(0, s - 32):s], text[e:e + 32]) for s, e in spans]
            began = time.perf_counter()
            placements = anchoring.reanchor(text, new, anchors)
            times.append((time.perf_counter() - began) * 1000)
            for p in placements:
                placed[p.method] = placed.get(p.method, 0) + 1
        result = {"words": words, "annotations": annotations, "edited": "10%", "repeat": repeat,
                  "reanchor_ms_median": round(statistics.median(times), 1),
                  "reanchor_ms_max": round(max(times), 1), "methods": placed}
        _, env = bench_database("reanchor_bench")
        out = subprocess.run([sys.executable, str(settings.BASE_DIR / "manage.py"), "bench_reanchor",
                              "--service-here", "--repeat", str(min(repeat, 10)), "--words", str(words),
                              "--annotations", str(annotations)],
                             env=env, capture_output=True, text=True)
        if out.returncode:
            raise CommandError(f"service benchmark failed: {out.stderr[-1000:]}")
        result.update(json.loads(out.stdout.strip().splitlines()[-1]))
        self.stdout.write(f"re-anchoring {annotations} annotations after a 10% edit of {words:,} words: "
                          f"median {result['reanchor_ms_median']} ms, max {result['reanchor_ms_max']} ms "
                          f"({placed})")
        self.stdout.write(f"the whole body change (save, checks, re-anchor, history): "
                          f"median {result['service_ms_median']} ms")
        self.stdout.write(json.dumps(result))

    def _service(self, cases):
        from annotations import services
        from annotations.models import Quote

        times = []
        for text, spans, new in cases:
            article = services.article_create(body=text, title="Re-anchoring benchmark", suggest_after=False)
            Quote.objects.bulk_create([
                Quote(article=article, start=s, end=e, exact=text[s:e], prefix=text[max(0, s - 32):s],
                      suffix=text[e:e + 32]) for s, e in spans])
            began = time.perf_counter()
            services.article_update(article=article, body=new)
            times.append((time.perf_counter() - began) * 1000)
            article.delete()
        return {"service_ms_median": round(statistics.median(times), 1)}
