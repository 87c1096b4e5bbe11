"""Trained models live in PostgreSQL: the active one suggests on every worker, an older one can
be made active again (rollback), and a model that cannot be read never fails a run."""

import logging

import pytest

from annotations import pipeline, services, suggest, suggesters
from annotations.models import Article, Quote, SuggesterModel, SuggestionRun
from annotations.suggest import learned
from tests.conftest import wait_for
from tests.test_learned import gold_docs, made_up_article

State = SuggestionRun.State


@pytest.fixture(scope="module")
def trained():
    return learned.train(gold_docs(), sources=["made-up"], max_iterations=60)


def article_text(seed=99):
    import random

    return made_up_article(random.Random(seed))["text"]


@pytest.mark.django_db(transaction=True)
def test_an_activated_model_suggests_through_a_real_worker_and_rollback_returns_to_the_rules(trained, celery_worker):
    row = suggesters.suggester_store(model=trained, activate=True)
    assert SuggesterModel.objects.get(active=True) == row and row.metrics == trained.meta.get("heldout", {})
    article = services.article_create(body=article_text())
    run = wait_for(lambda: SuggestionRun.objects.filter(article=article, status=State.DONE).first())
    assert run.engine_version == trained.version
    made = list(Quote.objects.filter(article=article))
    assert made and {q.engine_version for q in made} == {trained.version}
    assert all(0 <= q.confidence <= 1 for q in made)

    # Rollback to the rules: the article, still needing review, gets a pass of them.
    suggesters.suggester_activate(version=None)
    again = wait_for(lambda: SuggestionRun.objects.filter(
        article=article, engine_version=suggest.ENGINE_VERSION, status=State.DONE).first())
    assert again.revision == article.revision
    assert {q.engine_version for q in Quote.objects.filter(article=article)} <= {suggest.ENGINE_VERSION}
    # And forward again to the model, which ran on this revision before: a fresh pass of it.
    before = SuggestionRun.objects.get(article=article, engine_version=trained.version).finished_at
    suggesters.suggester_activate(version=trained.version)
    wait_for(lambda: SuggestionRun.objects.filter(
        article=article, engine_version=trained.version, status=State.DONE, finished_at__gt=before).first())
    assert {q.engine_version for q in Quote.objects.filter(article=article)} == {trained.version}
    # A done article is left alone by an activation.
    services.article_mark_done(article=article, user=None)
    suggesters.suggester_activate(version=trained.version)
    assert not SuggestionRun.objects.filter(article=article, status=State.PENDING).exists()


@pytest.mark.django_db
def test_a_model_that_cannot_be_read_is_not_activated_and_the_active_one_stays(trained):
    good = suggesters.suggester_store(model=trained, activate=True)
    broken = SuggesterModel.objects.create(version="crf-broken", artifact=b"not a model")
    with pytest.raises(learned.ModelError):
        suggesters.suggester_activate(version=broken.version)
    assert SuggesterModel.objects.get(active=True) == good
    with pytest.raises(suggesters.ModelStored, match="already stored"):
        suggesters.suggester_store(model=trained)


@pytest.mark.django_db
def test_the_admin_keeps_the_active_model_and_refuses_an_unreadable_one(trained, admin_client):
    good = suggesters.suggester_store(model=trained, activate=True)
    broken = SuggesterModel.objects.create(version="crf-broken", artifact=b"not a model")
    refused = admin_client.get(f"/admin/annotations/suggestermodel/{good.pk}/delete/", follow=True)
    assert f"The model that suggests ({good.version}) cannot be deleted: make another model (or the rules) " \
        "suggest first." in refused.content.decode()
    assert SuggesterModel.objects.filter(pk=good.pk).exists()
    assert admin_client.get(f"/admin/annotations/suggestermodel/{broken.pk}/delete/").status_code == 200
    answer = admin_client.post("/admin/annotations/suggestermodel/", {
        "action": "activate", "_selected_action": [broken.pk]}, follow=True)
    assert "Not activated: crf-broken is not a readable suggestion model" in answer.content.decode()
    assert SuggesterModel.objects.get(active=True) == good
    # Deleting a selection that holds the active model is refused whole (Django's own check).
    admin_client.post("/admin/annotations/suggestermodel/", {
        "action": "delete_selected", "_selected_action": [good.pk, broken.pk], "post": "yes"})
    assert SuggesterModel.objects.count() == 2
    admin_client.post("/admin/annotations/suggestermodel/", {
        "action": "delete_selected", "_selected_action": [broken.pk], "post": "yes"})
    assert list(SuggesterModel.objects.all()) == [good]


@pytest.mark.django_db
def test_a_corrupt_stored_model_falls_back_to_the_rules_with_a_warning(trained, caplog, admin_client):
    row = suggesters.suggester_store(model=trained, activate=True)
    SuggesterModel.objects.filter(pk=row.pk).update(artifact=b"not a model")
    suggesters._loaded.clear()
    article = services.article_create(body=article_text(5))
    with caplog.at_level(logging.WARNING):
        pipeline.drain()
    run = SuggestionRun.objects.get(article=article)
    assert run.status == State.DONE and run.engine_version == trained.version
    assert run.error.startswith(f"suggested by {suggest.ENGINE_VERSION}: ") and "not a readable" in run.error
    assert "suggesting with the rules" in caplog.text
    assert {q.engine_version for q in Quote.objects.filter(article=article)} <= {suggest.ENGINE_VERSION}
    # The status says so, not only the worker's log.
    status = pipeline.status()
    assert status["engine_version"] == trained.version and "not a readable suggestion model" in status["engine_problem"]
    # So does the admin's list of runs, beside the model's version.
    page = admin_client.get("/admin/annotations/suggestionrun/").content.decode()
    assert trained.version in page and f"suggested by {suggest.ENGINE_VERSION}" in page


@pytest.mark.django_db
def test_a_model_that_learned_no_quotes_and_no_stances_is_neither_kept_nor_activated(trained):
    """Such a model (from an older version, before training refused it) would suggest nothing."""
    blank = learned.Model.from_bytes(trained.to_bytes())
    blank.meta = {**blank.meta, "version": "crf-blank", "counts": {**blank.meta["counts"], "fit_quotes": 0}}
    with pytest.raises(learned.ModelError, match="learned from no quotes and no stances"):
        suggesters.suggester_store(model=blank, activate=True)
    assert not SuggesterModel.objects.exists()  # the failed activation kept nothing either


@pytest.mark.django_db
def test_train_suggester_stores_and_activates(tmp_path, capsys):
    import json

    from django.core.management import call_command

    gold = tmp_path / "gold.jsonl"
    gold.write_text("".join(json.dumps(d) + "\n" for d in gold_docs(10, seed=4)))
    call_command("train_suggester", "--from", str(gold), "--activate", "--max-iterations", "30")
    assert "stored and active" in capsys.readouterr().out
    active = SuggesterModel.objects.get(active=True)
    assert active.counts["articles"] == 10 and learned.Model.from_bytes(bytes(active.artifact)).version == active.version
    assert pipeline.status()["engine_version"] == active.version


@pytest.mark.django_db
def test_train_from_the_editors_done_articles(capsys):
    from django.core.management import call_command

    from annotations.selectors import gold_from_editors

    for doc in gold_docs(12, seed=8):
        article = services.article_create(body=doc["text"], suggest_after=False)
        for q in doc["quotes"]:
            start, end = q["start"], q["end"]
            services.quote_create(article=article, user=None, start=start, end=end,
                                  text=article.body[start:end])
        services.article_mark_done(article=article, user=None)
    services.article_create(body="Not done yet. “Skip me,” Ann said.", suggest_after=False)
    gold = gold_from_editors()
    assert len(gold) == 12 and all(d["quotes"] for d in gold)
    assert all(d["text"][q["start"]:q["end"]] == q["text"] for d in gold for q in d["quotes"])
    call_command("train_suggester", "--from-db", "--store", "--max-iterations", "30")
    row = SuggesterModel.objects.get()
    assert row.sources == ["editors' decisions"] and row.counts["articles"] == 12 and not row.active


def _done_article(doc, *, mislabelled=False):
    """An article editors marked done; mislabelled: its 'quote' is its first sentence instead."""
    article = services.article_create(body=doc["text"], suggest_after=False)
    spans = [(q["start"], q["end"]) for q in doc["quotes"]]
    if mislabelled:
        spans = [(0, article.body.index(".") + 1)]
    for start, end in spans:
        services.quote_create(article=article, user=None, start=start, end=end, text=article.body[start:end])
    services.article_mark_done(article=article, user=None)


@pytest.mark.django_db
def test_retraining_promotes_a_model_not_worse_and_refuses_a_worse_one(admin_client):
    from annotations import tasks

    assert suggesters.suggester_retrain(min_new=5)["decision"] == "waiting"
    # Done articles where editors accepted no quote teach nothing: it waits, and says why.
    for doc in gold_docs(5, seed=20):
        _done_article({**doc, "quotes": []})
    empty = suggesters.suggester_retrain(min_new=5, max_iterations=20)
    assert empty["decision"] == "waiting" and "hold no quotes" in empty["reason"], empty
    Article.objects.all().delete()
    # With the rules suggesting, a model trained on well-annotated done articles is not worse.
    for doc in gold_docs(10, seed=21):
        _done_article(doc)
    first = suggesters.suggester_retrain(min_new=5, max_iterations=60)
    assert first["decision"] == "promoted" and first["against"] == suggest.ENGINE_VERSION, first
    assert first["candidate"] >= first["active"]
    assert SuggesterModel.objects.get(active=True).version == first["version"]
    assert suggesters.suggester_retrain(min_new=1)["decision"] == "waiting"  # nothing done since

    # Then editors mark articles done with the wrong spans: scored on the held-back fifth (every
    # fifth done article, here the well-annotated ones), that candidate is worse and refused.
    for k, doc in enumerate(gold_docs(20, seed=23)):
        _done_article(doc, mislabelled=(k + 10) % 5 != 0)
    worse = suggesters.suggester_retrain(min_new=5, max_iterations=60)
    assert worse["decision"] == "refused" and worse["candidate"] < worse["active"], worse
    assert SuggesterModel.objects.get(active=True).version == first["version"]
    stored = SuggesterModel.objects.get(version=worse["version"])
    assert stored.metrics["promotion"]["promoted"] is False and not stored.active
    # The refused candidate was trained on every done article: no new ones, no new training.
    assert suggesters.suggester_retrain(min_new=5)["decision"] == "waiting"
    # The admin's list says which retraining decided what.
    page = admin_client.get("/admin/annotations/suggestermodel/").content.decode()

    def row(version):  # the table row whose first cell links to that version
        return page[page.index(f"{version}</a>"):].split("</tr>")[0]

    assert f"refused against {first['version']} ({worse['candidate']} vs {worse['active']})" in row(worse["version"])
    assert f"promoted over {suggest.ENGINE_VERSION}" in row(first["version"])
    # Beat runs the same service.
    assert "annotations.tasks.suggester_retrain" in {e["task"] for e in
                                                     tasks.suggester_retrain.app.conf.beat_schedule.values()}


@pytest.mark.django_db
def test_file_commands_use_the_active_model_unless_told_otherwise(trained, tmp_path, capsys):
    import json

    from django.core.management import call_command

    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": "a", "text": article_text()}) + "\n")
    out = tmp_path / "out.jsonl"
    call_command("suggest_file", str(source), str(out))
    assert json.loads(out.read_text())["engine_version"] == suggest.ENGINE_VERSION  # nothing active yet
    suggesters.suggester_store(model=trained, activate=True)
    call_command("suggest_file", str(source), str(out))
    assert json.loads(out.read_text())["engine_version"] == trained.version
    assert f"suggested by {trained.version}" in capsys.readouterr().out
    call_command("suggest_file", str(source), str(out), "--rules")
    assert json.loads(out.read_text())["engine_version"] == suggest.ENGINE_VERSION


def test_file_commands_need_no_database(tmp_path):
    """With no database to reach, suggest_file runs the rules (work on files goes on)."""
    import json
    import os
    import subprocess
    import sys

    from django.conf import settings

    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": "a", "text": "“We won,” Ann Bo said."}) + "\n")
    env = {**os.environ, "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none", "PGCONNECT_TIMEOUT": "2"}
    done = subprocess.run([sys.executable, "manage.py", "suggest_file", str(source), str(tmp_path / "out.jsonl")],
                          cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert f"suggested by {suggest.ENGINE_VERSION}" in done.stdout
    assert json.loads((tmp_path / "out.jsonl").read_text())["quotes"][0]["speaker"] == "Ann Bo"
