"""Imports started from the admin: the upload is saved, previewed, then run by the worker."""

import logging
import os
import uuid
from pathlib import Path

from django.conf import settings
from django.db import transaction

from annotations.importing.readers import UnusableInput
from annotations.importing.runner import import_batch_fail, import_run
from annotations.models import ImportBatch

log = logging.getLogger(__name__)


def _upload_root() -> Path:
    return Path(settings.IMPORT_UPLOAD_DIR).resolve()


def import_batch_upload(*, uploaded, user, fmt: str, outlet: str, suggest: bool, update: bool = False) -> ImportBatch:
    """Stream an uploaded file to a folder of its own under the upload folder and record a
    pending ImportBatch."""
    folder = _upload_root() / uuid.uuid4().hex
    folder.mkdir(parents=True, exist_ok=True)
    name = Path(uploaded.name or "").name
    if name in ("", ".", ".."):
        name = "upload"
    target = folder / name
    with target.open("xb") as fh:
        for chunk in uploaded.chunks():
            fh.write(chunk)
    return ImportBatch.objects.create(
        created_by=user, file_name=name[:500], format=fmt, upload_path=str(target),
        options={"outlet": outlet, "suggest": suggest, "update": update, "mapping": None},
    )


def import_batch_file(batch: ImportBatch) -> Path:
    """The batch's uploaded file, only if it is a plain file inside IMPORT_UPLOAD_DIR.

    upload_path is stored in the database, so it is checked on every read: the preview and the
    worker must never read (or remove) a file elsewhere on the server, whatever the row says.
    The path must already be in resolved form, so neither `..` nor a symlink (the file's own
    or a folder's) can lead out of the upload folder."""
    raw = batch.upload_path
    if not raw:
        raise UnusableInput("this import batch has no uploaded file")
    path = Path(raw)
    root = _upload_root()
    if not path.is_absolute() or ".." in path.parts:
        raise UnusableInput(f"{batch.file_name}: the uploaded file's path is not a plain path in the upload folder")
    try:
        resolved = path.resolve(strict=True)
    except (FileNotFoundError, NotADirectoryError):
        raise UnusableInput(f"{batch.file_name}: the uploaded file is gone") from None
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop
        raise UnusableInput(f"{batch.file_name}: the uploaded file cannot be read") from None
    if resolved != path:
        raise UnusableInput(f"{batch.file_name}: the uploaded file's path goes through a symbolic link; refused")
    if resolved == root or not resolved.is_relative_to(root):
        raise UnusableInput(f"{batch.file_name}: the uploaded file is outside the upload folder; refused")
    if not resolved.is_file():
        raise UnusableInput(f"{batch.file_name}: the upload is not a plain file; refused")
    return resolved


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
    if batch is None or batch.status in (ImportBatch.State.DONE, ImportBatch.State.FAILED):
        return
    try:
        path = import_batch_file(batch)
    except UnusableInput as exc:
        import_batch_fail(batch=batch, reason=str(exc))
        return
    # A redelivered task starts over; rows stored the first time count as duplicates.
    batch.processed = batch.created = batch.duplicates = batch.failed = 0
    batch.errors = []
    options = batch.options or {}
    try:
        import_run(paths=[path], fmt=batch.format or "auto", batch=batch,
                   suggest=options.get("suggest", True), mapping=options.get("mapping"),
                   outlet=options.get("outlet", ""), labels=options.get("labels"),
                   update=options.get("update", False))
    except Exception:
        # import_run has marked the batch failed with the reason; a retry would fail the
        # same way, so the task ends here.
        log.exception("import batch %s failed", batch.pk)
    import_upload_remove(path)


def import_upload_remove(path: Path) -> None:
    """Remove one uploaded file, and the folder made for it alone once it is empty.
    Never a whole folder: rmdir refuses a folder that still holds anything."""
    path.unlink(missing_ok=True)
    if path.parent.parent == _upload_root():
        try:
            os.rmdir(path.parent)
        except OSError:
            pass
