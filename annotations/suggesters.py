"""Which suggester runs: the active trained model stored in PostgreSQL, or the rules.

Every worker reads the active model's version with each chunk it claims (one small query) and
loads the model's bytes only when that version changes, so an activation (or a rollback)
reaches all workers on all hosts within a chunk, with no shared disk. A model that cannot be
read falls back to the rules with a logged warning: a run is never failed by a bad model.
"""

import gc
import logging
from collections.abc import Callable

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import Max
from django.utils import timezone

from annotations import suggest
from annotations.models import SuggesterModel
from annotations.suggest import learned

log = logging.getLogger(__name__)

_loaded: dict[str, Callable] = {}  # version -> suggest function, per process
_unreadable: dict[str, str] = {}  # version -> why the rules suggest in its place


def active_version() -> str:
    """The engine version that suggestions are made with now."""
    found = SuggesterModel.objects.filter(active=True).values_list("version", flat=True).first()
    return found or suggest.ENGINE_VERSION


def suggester_for(version: str) -> Callable:
    """The suggest function of that version: a stored model's, else the rules'."""
    if version == suggest.ENGINE_VERSION:
        return suggest.suggest
    if version not in _loaded:
        data = SuggesterModel.objects.filter(version=version).values_list("artifact", flat=True).first()
        try:
            if data is None:
                raise learned.ModelError(f"model {version} is not stored")
            _loaded.clear()  # one model in memory at a time
            _loaded[version] = settled(learned.Model.from_bytes(bytes(data), name=version))
        except learned.ModelError as exc:
            log.warning("suggesting with the rules (%s) instead: %s", suggest.ENGINE_VERSION, exc)
            # Kept, so later chunks do not read and parse the same broken bytes again.
            _loaded[version] = suggest.suggest
            _unreadable[version] = str(exc)
    return _loaded[version]


def settled(model: learned.Model) -> Callable:
    """The model's suggest function, made ready for a process that keeps it: its tagger and
    classifier built now (a bad one raises ModelError here, not in an article), then all that
    is loaded taken out of the garbage collector's sight and the collector run less often. An
    article makes a few thousand short-lived objects with the model (a few hundred with the
    rules alone): at the default threshold (700 allocations) the collector runs several times an
    article over objects a moment from being freed, and each full collection walks the ~90,000
    objects of Django and the model. On the 84 dev texts this took the model's time from 2.65
    times the rules' to 2.5 (timed, rules and model interleaved). bench_engine times a model
    set up the same way."""
    model.tagger()
    model.stance_classifier()
    gc.unfreeze()  # a model loaded before this one: what of it is garbage is freed now
    gc.collect()
    gc.freeze()
    gc.set_threshold(5000, 10, 10)
    return model.suggest


def suggester_problem(version: str) -> str | None:
    """Why that version's model cannot suggest (the rules do in its place), or None."""
    suggester_for(version)
    return _unreadable.get(version)


def suggester_for_files(*, model_path: str | None = None, rules: bool = False) -> Callable:
    """What suggest_file and evaluate_suggestions run: a model file when given (a ModelError
    says why it cannot be read), the rules when asked, else the active model when the database
    answers, else the rules (work on files needs no database)."""
    if model_path:
        return settled(learned.load(model_path))
    if not rules:
        try:
            return suggester_for(active_version())
        except DatabaseError as exc:
            log.info("no database to read the active model from (%s): suggesting with the rules", exc)
    return suggest.suggest


class ModelStored(Exception):
    """A model of that version is stored already."""


def suggester_store(*, model: learned.Model, activate: bool = False) -> SuggesterModel:
    """Keep a trained model (and make it the active one, when asked)."""
    stance = model.meta.get("stance")
    metrics = {**model.meta.get("heldout", {}),
               **({"endorsements": stance["heldout"]} if stance else {}),
               **({"promotion": model.meta["promotion"]} if "promotion" in model.meta else {})}
    if SuggesterModel.objects.filter(version=model.version).exists():
        raise ModelStored(f"model {model.version} is already stored (the same training in the same minute)")
    with transaction.atomic():  # a model that cannot be activated is not kept either
        row = SuggesterModel.objects.create(
            version=model.version, sources=model.meta.get("sources", []), counts=model.meta.get("counts", {}),
            metrics=metrics, artifact=model.to_bytes())
        if activate:
            suggester_activate(version=row.version)
            row.refresh_from_db()
    return row


def suggester_activate(*, version: str | None) -> None:
    """Make this model the one that suggests (None: the rules), e.g. to roll back; a model that
    cannot be read is refused (ModelError) and the active one stays. Articles still needing
    review get a fresh pass of it in the background; what editors decided stays."""
    from annotations import pipeline

    with transaction.atomic():
        if version is not None:
            data = SuggesterModel.objects.filter(version=version).values_list("artifact", flat=True).first()
            if data is None:
                raise SuggesterModel.DoesNotExist(f"no stored model {version}")
            model = learned.Model.from_bytes(bytes(data), name=version)  # a ModelError says why it cannot suggest
            if model.meta.get("counts", {}).get("fit_quotes") == 0 and model.stance is None:
                raise learned.ModelError(f"model {version} learned from no quotes and no stances: it would "
                                         "suggest nothing")
        SuggesterModel.objects.filter(active=True).update(active=False)
        if version is not None:
            SuggesterModel.objects.filter(version=version).update(active=True, activated_at=timezone.now())
        pipeline.runs_refresh()
        pipeline.wake_after_commit()


def _score(suggest_fn, docs: list[dict]) -> float:
    """Quote F1 plus attribution F1 at IoU 0.5 of a suggester on gold docs (the spans, and who
    said them where the editors named a speaker), plus endorsement F1 when editors accepted
    endorsements in them."""
    from annotations.suggest.evaluate import evaluate_endorsements, evaluate_quotes
    from annotations.suggest.jsonl import suggestion_record

    gold = {str(k): d for k, d in enumerate(docs)}
    pred = {str(k): suggestion_record(str(k), d["text"], suggest_fn) for k, d in enumerate(docs)}
    result = evaluate_quotes(gold, pred)
    score = result["quote@0.5"]["f1"] + result["attribution@0.5"]["f1"]
    if any(d.get("stances") for d in docs):
        score += evaluate_endorsements(gold, pred)["endorsement"]["f1"]
    return round(score, 4)


def suggester_retrain(*, min_new: int | None = None, max_iterations: int = 200) -> dict:
    """Train a candidate on the editors' done articles once enough are new since the active
    model (or the last candidate), score it against the active one on a held-back fifth of
    them, and make it active only when it is not worse. The decision and both scores are
    stored with the candidate."""
    from annotations.models import Article
    from annotations.selectors import gold_from_editors

    min_new = settings.SUGGEST_RETRAIN_AFTER if min_new is None else min_new
    active = SuggesterModel.objects.filter(active=True).first()
    # New since the active model, or since the last model trained when that came later (a
    # refused candidate): the same done articles are not trained on again and again.
    last_trained = SuggesterModel.objects.aggregate(at=Max("created_at"))["at"]
    since = max(filter(None, [active.activated_at if active else None, last_trained]), default=None)
    done = Article.objects.filter(review=Article.Review.DONE)
    new = done.filter(done_at__gt=since).count() if since else done.count()
    if new < min_new:
        return {"decision": "waiting", "new_done_articles": new, "needed": min_new}
    docs = gold_from_editors()
    complete = [d for d in docs if not d.get("partial")]
    held = complete[::5]  # the same fifth each time: the articles are in id order
    fit = [d for k, d in enumerate(complete) if k % 5] + [d for d in docs if d.get("partial")]
    if len(fit) < 2 or not held:
        return {"decision": "waiting", "new_done_articles": new, "needed": min_new}
    try:
        candidate = learned.train(fit, sources=["editors' decisions"], max_iterations=max_iterations)
    except ValueError as exc:  # e.g. the done articles hold no accepted quote yet
        return {"decision": "waiting", "new_done_articles": new, "needed": min_new, "reason": str(exc)}
    version = active_version()
    scores = {"candidate": _score(candidate.suggest, held), "active": _score(suggester_for(version), held)}
    promoted = scores["candidate"] >= scores["active"]
    candidate.meta["promotion"] = {"against": version, "held_back_articles": len(held),
                                   "f1_sum": scores, "promoted": promoted}
    try:
        row = suggester_store(model=candidate, activate=promoted)
    except ModelStored:  # the same training again within the minute: nothing new to keep
        return {"decision": "unchanged", "version": candidate.version, **scores}
    log.info("retrained suggester %s: %s (candidate %.3f vs %s %.3f)", row.version,
             "promoted" if promoted else "kept the active one", scores["candidate"], version, scores["active"])
    return {"decision": "promoted" if promoted else "refused", "version": row.version, "against": version,
            **scores}
