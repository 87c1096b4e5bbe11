"""Editor speed: open an article with N annotations in headless Chromium and measure the
script time until the editor is ready (Chrome's own ScriptDuration metric), several times."""

import json
import os
import statistics
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from annotations.benchmarks.db import bench_database
from annotations.benchmarks.load import free_port, wait_for_server


class Command(BaseCommand):
    help = "Benchmark the editor page: script time to ready with N annotations in headless Chromium."

    def add_arguments(self, parser):
        parser.add_argument("--annotations", type=int, default=500)
        parser.add_argument("--runs", type=int, default=7)

    def handle(self, *args, annotations, runs, **options):
        import shutil

        chromium = shutil.which("chromium")
        if not chromium:
            raise CommandError("Chromium not found (apt-get install chromium)")
        _, env = bench_database("editor_bench")
        env["DEBUG"] = "1"
        manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
        setup = f"""
import random
from django.contrib.auth.models import User
from annotations.models import Article, Quote, Entity
from annotations import services
from annotations.roles import groups_ensure
groups_ensure()
Article.objects.filter(title='Editor benchmark').delete()
rng = random.Random(3)
paras = [' '.join(rng.choice(['The','minister','said','that','taxes','would','fall','“We','will','win,”','she','told','reporters','😀','中文']) for _ in range(60)) for _ in range(60)]
body = '\\n\\n'.join(paras)
a = services.article_create(body=body, title='Editor benchmark', suggest_after=False)
speakers = [Entity.objects.get_or_create(name=f'Bench Speaker {{i}}')[0] for i in range(40)]
quotes = []
for i in range({annotations}):
    s = rng.randrange(0, len(body) - 200); e = s + rng.randint(10, 180)
    quotes.append(Quote(article=a, start=s, end=e, **services.span_anchor(body, s, e), speaker=rng.choice(speakers),
                        status=rng.choice(['suggested', 'accepted', 'accepted', 'rejected']), origin='engine',
                        engine_version='bench', confidence=round(rng.random(), 2)))
Quote.objects.bulk_create(quotes)
u, _ = User.objects.get_or_create(username='bench-editor', defaults={{'is_staff': True}})
u.set_password('bench-editor-pass'); u.save()
print(a.pk)
"""
        out = subprocess.run([*manage, "shell", "-c", setup], env=env, check=True, capture_output=True, text=True)
        article_id = int(out.stdout.strip().splitlines()[-1])
        port = free_port()
        server = subprocess.Popen([*manage, "runserver", f"127.0.0.1:{port}", "--noreload"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_for_server(base)
            results = self._measure(chromium, base, article_id, runs)
        finally:
            server.terminate()
            server.wait(timeout=20)
        median = statistics.median(r["script_ms"] for r in results)
        worst = max(r["script_ms"] for r in results)
        self.stdout.write(f"{annotations} annotations: script time to ready, median {median:.0f} ms, "
                          f"worst {worst:.0f} ms over {runs} loads (target under 300 ms)")
        self.stdout.write(json.dumps({"annotations": annotations, "runs": results,
                                      "median_script_ms": round(median, 1), "worst_script_ms": round(worst, 1)}))

    def _measure(self, chromium, base, article_id, runs):
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        from playwright.sync_api import sync_playwright

        args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run"]
        results = []
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=args)
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            page = context.new_page()
            page.goto(f"{base}/login/")
            page.fill("#id_username", "bench-editor")
            page.fill("#id_password", "bench-editor-pass")
            page.click("button[type=submit]")
            cdp = context.new_cdp_session(page)
            cdp.send("Performance.enable")
            for _ in range(runs):
                before = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
                started = time.perf_counter()
                page.goto(f"{base}/articles/{article_id}/")
                page.wait_for_function("window.newsdeskEditorReady === true")
                wall = (time.perf_counter() - started) * 1000
                after = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
                # ScriptDuration is cumulative for the page's process; a navigation may reset it.
                script = after["ScriptDuration"] - (before["ScriptDuration"] if after["ScriptDuration"] >= before["ScriptDuration"] else 0)
                highlights = page.locator("#body .hl").count()
                results.append({"script_ms": round(script * 1000, 1), "wall_ms": round(wall, 1), "highlight_spans": highlights})
            browser.close()
        return results
