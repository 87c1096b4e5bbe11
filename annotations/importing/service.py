"""Imports started from the admin: the upload is saved, previewed, then run by the worker."""

import shutil
import uuid
from pathlib import Path

from django.conf import settings
from django.db import transaction

from annotations.importing.runner import import_run
from annotations.models import ImportBatch


def import_batch_upload(*, uploaded, user, fmt: str, outlet: str, suggest: bool) -> ImportBatch:
    """Stream an uploaded file to the upload folder and record a pending ImportBatch."""
    folder = Path(settings.IMPORT_UPLOAD_DIR) / uuid.uuid4().hex
    folder.mkdir(parents=True, exist_ok=True)
    name = Path(uploaded.name).name or "upload"
    target = folder / name
    with target.open("wb") as fh:
        for chunk in uploaded.chunks():
            fh.write(chunk)
    return ImportBatch.objects.create(
        created_by=user, file_name=name[:500], format=fmt, upload_path=str(target),
        options={"outlet": outlet, "suggest": suggest, "mapping": None},
    )


def import_batch_confirm(*, batch: ImportBatch, fmt: str, mapping: dict | None) -> ImportBatch:
    from annotations.tasks import import_batch_run

    batch.format = fmt
    batch.options = {**batch.options, "mapping": mapping or None}
    batch.status = ImportBatch.State.PENDING
    batch.save(update_fields=["format", "options", "status"])
    transaction.on_commit(lambda: import_batch_run.delay(batch.pk))
    return batch


def import_batch_execute(*, batch_id: int) -> None:
    batch = ImportBatch.objects.filter(pk=batch_id).first()
    if batch is None or batch.status == ImportBatch.State.DONE or not batch.upload_path:
        return
    # A redelivered task starts over; rows stored the first time count as duplicates.
    batch.processed = batch.created = batch.duplicates = batch.failed = 0
    batch.errors = []
    options = batch.options or {}
    import_run(paths=[Path(batch.upload_path)], fmt=batch.format or "auto", batch=batch,
               suggest=options.get("suggest", True), mapping=options.get("mapping"),
               outlet=options.get("outlet", ""), labels=options.get("labels"))
    shutil.rmtree(Path(batch.upload_path).parent, ignore_errors=True)
