"""Faults are normal: a killed worker, a broker or a database that goes away, editors racing
a worker. Real worker processes, a redis-server of the test's own, the real PostgreSQL."""

import os
import threading
import time
from queue import Empty

import pytest
from django.db import connections

from annotations import pipeline, services
from annotations.models import Article, Quote, Status, SuggestionRun
from tests import pipeline_procs as procs
from tests.api_helpers import client_for, make_user

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _kill_mid_drain(tmp_path, broker: str, n: int) -> None:
    ids = procs.articles_make(n)
    worker = procs.Worker(tmp_path, "w1", broker=broker).start()
    try:
        procs.wait_until(lambda: procs.done_count() >= n // 5, 120, "a fifth done", worker)
        worker.kill()
        at_kill = procs.done_count()
        assert at_kill < n, "the kill came too late to test anything"
        worker = procs.Worker(tmp_path, "w1-restarted", broker=broker).start()
        procs.wait_until(lambda: procs.done_count() == n, 120, "all done after restart", worker)
    finally:
        worker.stop()
    procs.assert_each_done_once(ids)


def test_a_killed_worker_on_the_default_transport_loses_no_article(tmp_path):
    # The filesystem transport deletes a message when a worker takes it: the runs it was
    # storing stay pending and the restarted worker's reconcile picks them up.
    _kill_mid_drain(tmp_path, broker="", n=1500)


def test_a_killed_worker_on_redis_loses_no_article(tmp_path):
    redis = procs.RedisServer(tmp_path).start()
    try:
        _kill_mid_drain(tmp_path, broker=redis.url, n=1500)
    finally:
        redis.stop()


def test_a_killed_pool_child_does_not_hang_the_worker(tmp_path):
    ids = procs.articles_make(1500)
    worker = procs.Worker(tmp_path, "w1").start()
    try:
        procs.wait_until(lambda: procs.done_count() >= 300, 120, "some done", worker)
        children = worker.children()
        assert children, "no pool children"
        import os
        import signal

        os.kill(children[0], signal.SIGKILL)
        procs.wait_until(lambda: procs.done_count() == len(ids), 120, "all done, same worker", worker)
        assert worker.proc.poll() is None
    finally:
        worker.stop()
    procs.assert_each_done_once(ids)


def test_three_workers_on_one_redis_share_the_work_without_duplicates(tmp_path):
    redis = procs.RedisServer(tmp_path).start()
    ids = procs.articles_make(3000)
    # Each with its own state folder, as on separate hosts; one beat among them.
    workers = [procs.Worker(tmp_path, f"host{i}", broker=redis.url, beat=(i == 0)).start() for i in range(3)]
    try:
        procs.wait_until(lambda: procs.done_count() == 3000, 240, "3000 done", workers[0])
    finally:
        for worker in workers:
            worker.stop()
        redis.stop()
    procs.assert_each_done_once(ids)
    assert not SuggestionRun.objects.filter(status=SuggestionRun.State.FAILED).exists()
    # The work was shared (the SKIP LOCKED claim spreads the chunks); on a busy machine a worker
    # that starts last may find the others done, so at least two, reading each whole log.
    took_part = [w for w in workers if "suggestion pass stored" in w.output(tail=None)]
    assert len(took_part) >= 2, [w.output() for w in workers]


def test_broker_down_during_api_writes_and_an_import(tmp_path, monkeypatch):
    from django.core.management import call_command

    from newsdesk.celery import app as celery_app

    redis = procs.RedisServer(tmp_path).start()
    redis.stop()  # down from the start: every wake-up fails
    monkeypatch.setattr(celery_app.conf, "broker_url", redis.url)
    monkeypatch.setattr(celery_app.conf, "broker_transport", None)  # the URL's, not the default folder's
    celery_app.close()  # forget pooled connections to the usual broker
    try:
        client = client_for(make_user("admin", "admin"))
        created = client.post("/api/v1/articles/", {"body": procs.body(1), "title": "One"},
                              format="json")
        assert created.status_code == 201, created.content
        patched = client.patch(f"/api/v1/articles/{created.json()['id']}/", {"body": procs.body(2)},
                               format="json")
        assert patched.status_code == 200, patched.content

        source = tmp_path / "news.jsonl"
        source.write_text("".join(
            f'{{"title": "Imported {i}", "body": "{procs.body(100 + i).replace(chr(10), " ")}"}}\n'
            for i in range(300)))
        out = __import__("io").StringIO()
        call_command("import_articles", str(source), stdout=out)
        assert "created=300 duplicates=0 failed=0" in out.getvalue()
    finally:
        celery_app.close()
    assert pipeline.status()["pending"] == 302  # revision 1 superseded by 2 later, 300 imported

    # The broker comes back: the worker's reconcile (at start, then by beat) drains it all.
    redis.start()
    worker = procs.Worker(tmp_path, "w1", broker=redis.url).start()
    try:
        procs.wait_until(lambda: pipeline.status()["pending"] == 0, 120, "all drained", worker)
    finally:
        worker.stop()
        redis.stop()
    assert SuggestionRun.objects.filter(status=SuggestionRun.State.DONE).count() == 301
    assert SuggestionRun.objects.filter(status=SuggestionRun.State.SUPERSEDED).count() == 1


def test_accepts_racing_a_resuggestion_all_persist_or_answer_404(settings):
    settings.SUGGEST_CHUNK = 2  # many small passes, so accepts and passes interleave
    client = client_for(make_user("ed", "editors"))
    ids = procs.articles_make(40)
    pipeline.drain()
    for article in Article.objects.filter(id__in=ids):
        services.article_update(article=article, body=article.body + " Updated.")
    # The pass goes by article from the first, the editor from the last: they meet midway.
    targets = list(Quote.objects.filter(article_id__in=ids, status=Status.SUGGESTED)
                   .order_by("-id").values_list("id", flat=True))
    answers: dict[int, int] = {}

    def accept_all():
        for quote_id in targets:
            answers[quote_id] = client.post(f"/api/v1/quotes/{quote_id}/accept/").status_code
        connections.close_all()

    def resuggest():
        pipeline.drain()
        connections.close_all()

    editor, worker = threading.Thread(target=accept_all), threading.Thread(target=resuggest)
    editor.start()
    procs.wait_until(lambda: len(answers) >= 10, 30, "the first accepts")
    worker.start()
    for t in (editor, worker):
        t.join()
    assert set(answers.values()) <= {200, 404}, answers
    accepted = [q for q, code in answers.items() if code == 200]
    gone = [q for q, code in answers.items() if code == 404]
    assert accepted and gone, "the accepts and the pass did not overlap"
    # Every acknowledged accept is still there, accepted.
    assert Quote.objects.filter(id__in=accepted, status=Status.ACCEPTED).count() == len(accepted)
    # A 404 is a suggestion the pass had replaced before the accept came.
    assert not Quote.objects.filter(id__in=gone).exists()
    assert SuggestionRun.objects.filter(status=SuggestionRun.State.DONE, revision=2).count() == 40


def test_postgres_down_under_the_worker_then_back(tmp_path):
    pg = procs.OwnPostgres().start()
    redis = procs.RedisServer(tmp_path).start()
    worker = None
    try:
        pg.sql("CREATE DATABASE faults", dbname="postgres")
        pg.manage("migrate", "--verbosity", "0")
        pg.manage("shell", "-c", "from tests.pipeline_procs import articles_make; articles_make(1500)")

        def done():
            return pg.sql("SELECT count(*) FROM annotations_suggestionrun WHERE status = 'done'")[0][0]

        worker = procs.Worker(tmp_path, "w1", broker=redis.url, extra_env={"DATABASE_URL": pg.url}).start()
        procs.wait_until(lambda: done() >= 200, 120, "some done", worker)
        pg.stop()
        time.sleep(5)  # the worker's passes and beat's reconciles fail meanwhile
        pg.start()
        procs.wait_until(lambda: done() == 1500, 120, "all done after the database returned", worker)
        # The outage was met (passes interrupted, left pending, retried), not slept through.
        assert "suggestion pass interrupted" in worker.output(tail=10**7)
        states = pg.sql("SELECT status, count(*) FROM annotations_suggestionrun GROUP BY status")
        assert states == [("done", 1500)]
        doubled = pg.sql("SELECT count(*) FROM (SELECT article_id, start FROM annotations_quote"
                         " GROUP BY article_id, start HAVING count(*) > 1) d")[0][0]
        assert doubled == 0
    finally:
        if worker:
            worker.stop()
        redis.stop()
        pg.remove()


def test_an_import_killed_between_batches_leaves_nothing_unsuggested(tmp_path):
    import json
    import subprocess
    import sys

    from annotations.models import Article

    source = tmp_path / "archive.jsonl"
    with source.open("w") as fh:
        for i in range(20000):
            fh.write(json.dumps({"title": f"Archive {i}", "body": procs.body(10_000 + i)}) + "\n")
    env = procs.process_env(tmp_path / "importer")
    importer = subprocess.Popen([sys.executable, "manage.py", "import_articles", str(source)],
                                cwd=procs.ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    procs.wait_until(lambda: Article.objects.count() >= 1000, 120, "a batch committed")
    importer.kill()
    importer.wait(10)
    landed = list(Article.objects.values_list("id", flat=True))
    assert 1000 <= len(landed) < 20000, "the kill came too late to test anything"
    # Each committed batch carried its pending runs: nothing to re-import to get suggestions.
    assert SuggestionRun.objects.filter(article_id__in=landed).count() == len(landed)
    worker = procs.Worker(tmp_path, "w1").start()
    # A COMMIT the server had received before the kill may still land after `landed` was read:
    # every article stored, then, not only those counted above, must end with its run done.
    try:
        procs.wait_until(lambda: procs.done_count() == Article.objects.count(), 120, "all landed articles done",
                         worker)
    finally:
        worker.stop()
    everything = list(Article.objects.values_list("id", flat=True))
    assert set(landed) <= set(everything) and len(everything) < 20000
    procs.assert_each_done_once(everything)


def test_a_message_file_that_cannot_be_read_does_not_stop_the_worker(tmp_path):
    # What kombu's own filesystem transport could leave behind: a message file created but not yet
    # written when a worker listed the folder, or never written (its writer killed). Each once
    # killed the worker ("Unrecoverable error: JSONDecodeError") and every worker started after it.
    queue_dir = tmp_path / "w1" / "broker" / "queue"
    queue_dir.mkdir(parents=True)
    queue = procs.celery_app.conf.task_default_queue
    (queue_dir / f"0_empty.{queue}.msg").write_bytes(b"")
    (queue_dir / f"1_cut.{queue}.msg").write_bytes(b'{"body": "eyJ')
    ids = procs.articles_make(200)
    worker = procs.Worker(tmp_path, "w1").start()
    try:
        procs.wait_until(lambda: procs.done_count() == len(ids), 120, "all done", worker)
        assert worker.proc.poll() is None, worker.output()
        assert worker.output(tail=None).count("dropped a broker message that cannot be read") == 2
    finally:
        worker.stop()
    procs.assert_each_done_once(ids)


def test_a_message_is_never_seen_half_written(tmp_path, monkeypatch):
    from kombu import Connection

    from newsdesk import broker

    folders = {k: str(tmp_path / k) for k in ("queue", "control")}
    for path in folders.values():
        os.makedirs(path)
    options = {"data_folder_in": folders["queue"], "data_folder_out": folders["queue"],
               "control_folder": folders["control"], "store_processed": False}
    with Connection("filesystem://", transport="newsdesk.broker:Transport", transport_options=options) as conn:
        channel = conn.default_channel

        def killed(*args):  # the writer dies after writing, before the message is in place
            raise KeyboardInterrupt

        monkeypatch.setattr(broker.os, "replace", killed)
        with pytest.raises(KeyboardInterrupt):
            channel._put("q", {"body": "x" * 100000})
        monkeypatch.undo()
        assert [f for f in os.listdir(folders["queue"]) if f.endswith(".q.msg")] == []
        with pytest.raises(Empty):
            channel._get("q")
        channel._put("q", {"body": "whole"})
        assert channel._get("q") == {"body": "whole"}
