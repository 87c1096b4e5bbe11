"""Engine speed: articles and words per second against a bare regex pass over the same
texts, a trained model against the rules (in CPU time, and with --instructions in instructions counted
under callgrind), and (with --drain N) a real Celery worker of 2 processes draining N stored articles end to end."""

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from annotations.benchmarks.db import bench_database
from annotations.suggest import learned, suggest
from annotations.suggest.jsonl import read_jsonl
from annotations.suggesters import settled

BARE = re.compile(r"[\"“]([^\"“”\n]{2,}?)[\"”]")
NAMES = ["Maria Lopez", "John Carter", "Amal Haddad", "Chen Wei", "Olga Petrova", "Sam Okafor"]
VERBS = ["said", "told reporters", "added", "warned", "insisted"]


def synthetic_article(rng: random.Random) -> str:
    """News-like text with quotes, made up here (no corpus text)."""
    paragraphs = []
    for _ in range(rng.randint(6, 12)):
        who, verb = rng.choice(NAMES), rng.choice(VERBS)
        words = " ".join(rng.choice(["budget", "vote", "plan", "tax", "border", "schools", "jobs",
                                     "will", "must", "never", "the", "our", "people", "now"])
                         for _ in range(rng.randint(8, 20)))
        paragraphs.append(rng.choice([
            f"“{words.capitalize()},” {who} {verb}.",
            f"{who} {verb} that {words}.",
            f"According to {who}, {words}.",
            f"The committee met on Tuesday to discuss {words}.",
        ]))
    return "\n\n".join(paragraphs)


class Command(BaseCommand):
    help = "Benchmark the suggestion engine (articles/s, words/s, ratio to a bare regex) and a worker."

    def add_arguments(self, parser):
        parser.add_argument("--data", default=str(settings.BASE_DIR.parent / "shared" / "eval" / "polnear_dev.jsonl"),
                            help="JSONL with a 'text' per line (texts are only read, never stored)")
        parser.add_argument("--repeat", type=int, default=3)
        parser.add_argument("--drain", type=int, default=0, help="also time a worker draining N articles")
        parser.add_argument("--model", help="also time a trained model (a file from train_suggester) on the texts")
        parser.add_argument("--instructions", action="store_true",
                            help="with --model: count the instructions of both under valgrind's callgrind, which "
                                 "repeat from run to run where times drift (slow: minutes)")
        parser.add_argument("--drain-here", type=int, default=0, help=argparse.SUPPRESS)
        parser.add_argument("--count-here", choices=("none", "rules", "model"), help=argparse.SUPPRESS)

    def handle(self, *args, data, repeat, drain, drain_here, model=None, instructions=False, count_here=None,
               **options):
        if count_here:
            self._count_here(count_here, data, model)
            return
        if instructions and not model:
            raise CommandError("--instructions needs --model FILE")
        if instructions and not shutil.which("valgrind"):
            raise CommandError("--instructions needs valgrind (apt-get install valgrind)")
        if drain_here:
            # Runs inside the scratch database's environment (see _drain).
            self.stdout.write(json.dumps(self._drain_here(drain_here)))
            return
        try:
            texts = [doc["text"] for _, doc in read_jsonl(data)]
        except (OSError, ValueError) as exc:
            raise CommandError(str(exc)) from None
        n_words = sum(len(t.split()) for t in texts)
        started = time.perf_counter()
        for _ in range(repeat):
            for text in texts:
                suggest(text)
        engine_s = (time.perf_counter() - started) / repeat
        started = time.perf_counter()
        for _ in range(repeat):
            for text in texts:
                [m.span() for m in BARE.finditer(text)]
        bare_s = (time.perf_counter() - started) / repeat
        result = {
            "articles": len(texts), "words": n_words,
            "engine_articles_per_s": round(len(texts) / engine_s, 1),
            "engine_words_per_s": round(n_words / engine_s),
            "bare_regex_articles_per_s": round(len(texts) / bare_s, 1),
            "engine_to_regex_time_ratio": round(engine_s / bare_s, 1),
        }
        self.stdout.write(f"engine: {result['engine_articles_per_s']} articles/s, "
                          f"{result['engine_words_per_s']:,} words/s on one core "
                          f"({len(texts)} articles, {n_words:,} words)")
        self.stdout.write(f"bare regex: {result['bare_regex_articles_per_s']} articles/s; "
                          f"engine takes {result['engine_to_regex_time_ratio']}x its time")
        if model:
            result["model"] = self._model(model, texts, repeat)
            m = result["model"]
            self.stdout.write(f"model {m['version']}: {m['articles_per_cpu_s']} articles per CPU-second on one core "
                              f"({m['articles_per_s']} wall-clock; endorsements learned: {m['endorsements']}); "
                              f"{m['time_to_rules_ratio']}x the rules' time, article by article "
                              f"({m['rules_articles_per_cpu_s']} articles per CPU-second)")
        if instructions:
            result["instructions"] = n = self._instructions(data, model)
            self.stdout.write(f"instructions (callgrind, {len(texts)} articles, start-up subtracted): rules "
                              f"{n['rules']:,}, model {n['model']:,}: {n['model_to_rules_ratio']}x the rules'")
        if drain:
            result["worker"] = self._drain(drain)
            w = result["worker"]
            self.stdout.write(f"worker ({w['concurrency']} processes): {w['articles']} articles queued to stored "
                              f"in {w['seconds']} s = {w['articles_per_s']} articles/s, "
                              f"{w['drain_to_engine_ratio']}x the engine alone on one core "
                              f"({w['engine_alone_articles_per_s']} articles/s)")
        self.stdout.write(json.dumps(result))

    @staticmethod
    def _model(path, texts, repeat):
        """The model against the rules, article by article: the rules on one article, the model
        on another, and so on, so that both meet the machine in the same state (its speed drifts
        within seconds here) and their ratio means the same on a fast machine and a slow one.
        The rules run one article ahead, so the model never finds its article's layout cached."""
        try:
            model = learned.load(path)
            settled(model)  # as a worker holds it
        except learned.ModelError as exc:
            raise CommandError(str(exc)) from None
        ahead = texts[1:] + texts[:1]
        rules_cpu, model_cpu, model_wall = [], [], []
        clock, wall_clock = time.process_time, time.perf_counter
        for _ in range(repeat):
            rules = cpu = wall = 0.0
            for text, other in zip(texts, ahead):
                started = clock()
                suggest(other)
                at, wall_at = clock(), wall_clock()
                model.suggest(text)
                rules += at - started
                cpu += clock() - at
                wall += wall_clock() - wall_at
            rules_cpu.append(rules)
            model_cpu.append(cpu)
            model_wall.append(wall)
        cpu, wall, rules = (statistics.median(x) for x in (model_cpu, model_wall, rules_cpu))
        return {"version": model.version, "endorsements": model.stance is not None,
                "articles_per_s": round(len(texts) / wall, 1), "articles_per_cpu_s": round(len(texts) / cpu, 1),
                "rules_articles_per_cpu_s": round(len(texts) / rules, 1),
                "time_to_rules_ratio": round(statistics.median(m / r for m, r in zip(model_cpu, rules_cpu)), 2)}

    @staticmethod
    def _count_here(what, data, path):
        """One counted run: start-up, the texts read and the model loaded with its tagger and
        classifier built (as _model does before timing), then (for rules or model) one pass."""
        texts = [doc["text"] for _, doc in read_jsonl(data)]
        model = learned.load(path)
        settled(model)
        run = {"none": None, "rules": suggest, "model": model.suggest}[what]
        if run is not None:
            for text in texts:
                run(text)

    def _instructions(self, data, path):
        """Each of none, rules and model counted in a process of its own under callgrind; the
        'none' run (start-up, reading the texts, loading the model) is subtracted from the others."""
        counts = {}
        for what in ("none", "rules", "model"):
            out = subprocess.run(
                ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable,
                 str(settings.BASE_DIR / "manage.py"), "bench_engine", "--count-here", what, "--data", data,
                 "--model", path], capture_output=True, text=True)
            found = re.search(r"Collected : (\d+)", out.stderr)
            if out.returncode or not found:
                raise CommandError(f"the counted {what} run failed: {out.stderr[-1000:]}")
            counts[what] = int(found.group(1))
        rules, model = counts["rules"] - counts["none"], counts["model"] - counts["none"]
        return {"rules": rules, "model": model, "model_to_rules_ratio": round(model / rules, 2)}

    def _drain(self, n):
        """The worker benchmark, run in a scratch database so no real data is touched."""
        _, env = bench_database("engine_bench")
        out = subprocess.run([sys.executable, str(settings.BASE_DIR / "manage.py"), "bench_engine",
                              "--drain-here", str(n)], env=env, capture_output=True, text=True)
        if out.returncode:
            raise CommandError(f"worker benchmark failed: {out.stderr[-1000:]}")
        return json.loads(out.stdout.strip().splitlines()[-1])

    def _drain_here(self, n):
        """Store n synthetic articles (each with its pending run, as the site does) and time a
        real worker of 2 processes draining them, against the engine alone on the same texts."""
        import uuid

        from django.db import transaction

        from annotations import pipeline, services
        from annotations.models import Article, SuggestionRun

        rng = random.Random(11)
        tag = f"bench-{int(time.time())}"
        texts = [synthetic_article(rng) + f"\n\n{tag} {i}" for i in range(n)]
        started = time.perf_counter()
        for text in texts[:500]:
            suggest(text)
        engine_per_s = min(n, 500) / (time.perf_counter() - started)
        with transaction.atomic():
            ids = [services.article_create(body=text, outlet="Bench").id for text in texts]
        concurrency = 2
        env = {**os.environ, "CELERY_QUEUE": f"bench-{uuid.uuid4().hex[:8]}"}
        started = time.perf_counter()
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "newsdesk", "worker", "--loglevel", "WARNING",
             "--concurrency", str(concurrency)], cwd=settings.BASE_DIR, env=env)
        deadline = started + max(120, n / 5)
        try:
            while True:
                runs = SuggestionRun.objects.filter(article_id__in=ids)
                failed = runs.filter(status="failed").first()
                if failed:
                    raise CommandError(f"run for article {failed.article_id} failed: {failed.error}")
                if runs.filter(status="done").count() == n:
                    break
                if worker.poll() is not None:
                    raise CommandError("the worker exited")
                if time.perf_counter() > deadline:
                    raise CommandError(f"not drained within {deadline - started:.0f} s: {pipeline.status()}")
                time.sleep(0.2)
            seconds = time.perf_counter() - started
        finally:
            worker.terminate()
            worker.wait(timeout=60)
            Article.objects.filter(id__in=ids).delete()
        return {"articles": n, "concurrency": concurrency, "seconds": round(seconds, 1),
                "articles_per_s": round(n / seconds, 1),
                "engine_alone_articles_per_s": round(engine_per_s, 1),
                "drain_to_engine_ratio": round(n / seconds / engine_per_s, 2)}
