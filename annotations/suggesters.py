"""Which suggester runs: the active trained model stored in PostgreSQL, or the rules.

Every worker reads the active model's version with each chunk it claims (one small query) and
loads the model's bytes only when that version changes, so an activation (or a rollback)
reaches all workers on all hosts within a chunk, with no shared disk. A model that cannot be
read falls back to the rules with a logged warning: a run is never failed by a bad model.
"""

import logging
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from annotations import suggest
from annotations.models import SuggesterModel
from annotations.suggest import learned

log = logging.getLogger(__name__)

_loaded: dict[str, Callable] = {}  # version -> suggest function, per process


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
            _loaded[version] = learned.Model.from_bytes(bytes(data), name=version).suggest
        except learned.ModelError as exc:
            log.warning("suggesting with the rules (%s) instead: %s", suggest.ENGINE_VERSION, exc)
            return suggest.suggest
    return _loaded[version]


def suggester_store(*, model: learned.Model, activate: bool = False) -> SuggesterModel:
    """Keep a trained model (and make it the active one, when asked)."""
    row = SuggesterModel.objects.create(
        version=model.version, sources=model.meta.get("sources", []), counts=model.meta.get("counts", {}),
        metrics=model.meta.get("heldout", {}), artifact=model.to_bytes())
    if activate:
        suggester_activate(version=row.version)
        row.refresh_from_db()
    return row


def suggester_activate(*, version: str | None) -> None:
    """Make this model the one that suggests (None: the rules), e.g. to roll back. Articles
    still needing review get a pass of it in the background; what editors decided stays."""
    from annotations import pipeline

    with transaction.atomic():
        SuggesterModel.objects.filter(active=True).update(active=False)
        if version is not None:
            updated = SuggesterModel.objects.filter(version=version).update(active=True, activated_at=timezone.now())
            if not updated:
                raise SuggesterModel.DoesNotExist(f"no stored model {version}")
        pipeline.runs_record_missing()
        pipeline.wake_after_commit()
