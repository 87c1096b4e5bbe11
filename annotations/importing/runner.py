"""Run an import: read rows, dedup on url or body hash, write in batches, record progress in
the ImportBatch, record the need for suggestions in each commit. Re-running a file creates nothing new,
so an import that was killed halfway completes when run again."""

import datetime
import logging
import queue
import threading
from dataclasses import dataclass, field
from pathlib import Path

from django.db import IntegrityError, connection, connections, transaction
from django.utils import timezone
from psycopg.copy import QueuedLibpqWriter

from annotations import pipeline, services
from annotations.speakers import entity_resolve
from annotations.importing.readers import Failure, UnusableInput, detect, read
from annotations.models import Article, Entity, ImportBatch, Origin, Quote, Status
from annotations.suggest import Speaker

log = logging.getLogger(__name__)

MAX_STORED_ERRORS = 10_000


@dataclass
class Outcome:
    created: int = 0
    duplicates: int = 0
    failed: int = 0
    updated: int = 0  # with update: stored articles (same url) whose text the file corrects
    unusable: list[str] = field(default_factory=list)


def estimate_rows(path: Path, fmt: str) -> int:
    """Rows to expect, for progress and time left: lines for line formats, files for seeds."""
    if path.is_dir():
        return sum(1 for p in path.rglob("*.txt"))
    if fmt in ("csv", "jsonl", "doccano"):
        count = 0
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                count += block.count(b"\n")
        return max(count - (1 if fmt == "csv" else 0), 1)
    if path.suffix.lower() == ".zip":
        import zipfile

        try:
            with zipfile.ZipFile(path) as archive:
                return sum(1 for i in archive.infolist() if i.filename.lower().endswith(".txt"))
        except zipfile.BadZipFile:
            return 1
    return 1


def import_run(*, paths: list[Path], fmt: str, batch: ImportBatch, batch_size: int = 1000,
               suggest: bool = True, mapping: dict | None = None, outlet: str = "",
               labels: dict | None = None, progress=None, on_failure=None, update: bool = False) -> Outcome:
    """Import `paths` (with `update`, a row whose url is stored with another text corrects
    that article's text, through the one body-change service that re-anchors its annotations); `progress(batch)` after each batch, `on_failure(failure)` for each bad row
    (as it happens, so memory stays flat however many rows fail). An import that dies (a bug,
    the database gone, Ctrl-C) ends its batch `failed` with the reason, never `running`."""
    try:
        return _import_run(paths=paths, fmt=fmt, batch=batch, batch_size=batch_size, suggest=suggest,
                           mapping=mapping, outlet=outlet, labels=labels, progress=progress,
                           on_failure=on_failure, update=update)
    except BaseException as exc:
        reason = f"the import stopped: {type(exc).__name__}: {exc}".rstrip(": ")
        try:
            import_batch_fail(batch=batch, reason=reason[:1000])
        except Exception:
            log.exception("could not mark import batch %s failed", batch.pk)
        raise


def import_batch_fail(*, batch: ImportBatch, reason: str) -> None:
    """End a batch as failed with the reason, whatever state it was left in."""
    batch.status = ImportBatch.State.FAILED
    batch.errors = [*(batch.errors or []), {"file": "", "line": 0, "reason": reason}]
    batch.finished_at = timezone.now()
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=batch.status, errors=batch.errors, finished_at=batch.finished_at)


def _import_run(*, paths, fmt, batch, batch_size, suggest, mapping, outlet, labels, progress, on_failure,
                update) -> Outcome:
    outcome = Outcome()
    batch.status, batch.started_at = ImportBatch.State.RUNNING, timezone.now()
    formats = {}
    for path in paths:
        try:
            formats[path] = detect(path) if fmt == "auto" else fmt
        except UnusableInput as exc:
            outcome.unusable.append(str(exc))
    batch.total = sum(_estimate(p, f) for p, f in formats.items())
    batch.save()
    # Parsing (CPU) and writing (database) overlap: a writer thread takes batches as
    # they are parsed, so the import runs at the speed of the slower of the two.
    batches: queue.Queue = queue.Queue(maxsize=2)
    crashed: list[BaseException] = []

    def writer():
        try:
            while (items := batches.get()) is not None:
                _flush(items, batch, outcome, suggest, progress, on_failure, update)
        except BaseException as exc:  # re-raised in the caller's thread
            crashed.append(exc)
            while batches.get() is not None:
                pass
        finally:
            connections.close_all()

    thread = threading.Thread(target=writer, name="import-writer")
    thread.start()
    try:
        pending: list = []
        for path, path_fmt in formats.items():
            try:
                for item in read(path, path_fmt, mapping=mapping, outlet=outlet, labels=labels):
                    pending.append(item)
                    if len(pending) >= batch_size:
                        batches.put(pending)
                        pending = []
                        if crashed:
                            break
            except UnusableInput as exc:
                outcome.unusable.append(str(exc))
            except OSError as exc:
                # Unreadable (a folder given as a file, no permission, a disk error): this
                # input is unusable, the others still run.
                outcome.unusable.append(f"{path}: cannot read ({exc.strerror or exc})")
        batches.put(pending)
    finally:
        batches.put(None)
        thread.join()
    if crashed:
        raise crashed[0]
    for reason in outcome.unusable:
        batch.errors.append({"file": "", "line": 0, "reason": reason})
    batch.status = ImportBatch.State.FAILED if outcome.unusable and not batch.processed else ImportBatch.State.DONE
    batch.total = max(batch.total, batch.processed)
    batch.finished_at = timezone.now()
    batch.save()
    return outcome


def _estimate(path: Path, fmt: str) -> int:
    try:
        return estimate_rows(path, fmt)
    except OSError:
        return 0  # reading it will say why


def _flush(items: list, batch: ImportBatch, outcome: Outcome, suggest: bool, progress, on_failure,
           update: bool = False) -> None:
    rows = [i for i in items if not isinstance(i, Failure)]
    failures = [i for i in items if isinstance(i, Failure)]
    with transaction.atomic():
        if update:
            rows, corrected = _correct(rows)
            outcome.updated += corrected
        created, duplicates = _write(rows, batch)
        if suggest and created:
            # The need for suggestions commits with the articles, so a killed import or a
            # broker that is down loses none.
            pipeline.runs_record(revisions=[(pk, 1) for pk in created])
        outcome.created += len(created)
        outcome.duplicates += duplicates
        outcome.failed += len(failures)
        batch.processed += len(items)
        batch.created, batch.duplicates, batch.failed = outcome.created, outcome.duplicates, outcome.failed
        room = MAX_STORED_ERRORS - len(batch.errors)
        batch.errors += [{"file": f.file, "line": f.line, "reason": f.reason} for f in failures[: max(room, 0)]]
        batch.save(update_fields=["processed", "created", "duplicates", "failed", "errors"])
    if on_failure:
        for failure in failures:
            on_failure(failure)
    if progress:
        progress(batch)


def _correct(rows: list) -> tuple[list, int]:
    """Rows whose url is stored with another text correct that article (a new revision, its
    annotations re-anchored); returns the other rows and how many articles were corrected."""
    stored = {a.url: a for a in Article.objects.filter(url__in={r.url for r in rows if r.url})}
    rest, corrected = [], 0
    for row in rows:
        article = stored.get(row.url) if row.url else None
        if article is not None and article.body_sha256 != row.sha:
            corrected_article = services.article_update(article=article, body=row.body)
            if row.spans:  # the corrected row's own labels, beside what was re-anchored
                _store_spans(corrected_article, row)
            corrected += 1
        else:
            rest.append(row)  # new, or the same text again (a duplicate)
    return rest, corrected


def _note_duplicate(batch: ImportBatch, row, article_id: int | None) -> None:
    """Duplicates are listed with the batch's errors (not counted as failures), so the errors
    table and CSV say which row matched which stored article."""
    if len(batch.errors) < MAX_STORED_ERRORS:
        what = f"duplicate of article {article_id}" if article_id else "duplicate of an earlier row of the file"
        batch.errors.append({"file": row.file, "line": row.line, "reason": what})


def _key(row) -> tuple:
    return ("url", row.url) if row.url else ("sha", row.sha)


def _write(rows: list, batch: ImportBatch) -> tuple[list[int], int]:
    """Insert the rows that are not stored yet; returns (new article ids, duplicates)."""
    if not rows:
        return [], 0
    urls = {r.url for r in rows if r.url}
    shas = {r.sha for r in rows if not r.url}
    # key -> the stored article's id (None for a row earlier in this file)
    known = {("url", u): pk for u, pk in Article.objects.filter(url__in=urls).values_list("url", "id")}
    known |= {("sha", s): pk for s, pk in Article.objects.filter(url__isnull=True, body_sha256__in=shas)
              .values_list("body_sha256", "id")}
    fresh, duplicates = [], 0
    for row in rows:
        key = _key(row)
        if key in known:
            duplicates += 1
            _note_duplicate(batch, row, known[key])
            continue
        known[key] = None  # earlier in this file
        fresh.append(row)
    try:
        with transaction.atomic():
            ids = _copy_in(fresh, batch)
    except IntegrityError:
        # Another import stored some of these meanwhile: insert one by one.
        ids, kept = _insert_each(fresh, batch)
        duplicates += len(fresh) - len(kept)
        fresh = kept
    for row, pk in zip(fresh, ids):
        if row.spans:
            _store_spans(Article.objects.get(pk=pk), row)
    return ids, duplicates


COPY_COLUMNS = ["id", "title", "body", "outlet", "url", "published_on", "language", "body_sha256", "revision",
                "import_batch_id", "review", "created_at", "updated_at"]


def _copy_in(rows: list, batch: ImportBatch) -> list[int]:
    """COPY the rows in with ids taken from the sequence first: as fast as PostgreSQL loads,
    and the ids are known for queueing suggestions. Constraints still apply."""
    if not rows:
        return []
    now = timezone.now()
    with connection.cursor() as cursor:
        if _lz4_available(cursor):
            # Bodies of a few KB are compressed on the way in; lz4 does it several times faster
            # than the default pglz (for this transaction only).
            cursor.execute("SET LOCAL default_toast_compression = 'lz4'")
        cursor.execute("SELECT nextval(pg_get_serial_sequence('annotations_article', 'id')) "
                       "FROM generate_series(1, %s)", [len(rows)])
        ids = [row[0] for row in cursor.fetchall()]
        columns = ", ".join(f'"{c}"' for c in COPY_COLUMNS)
        # The queued writer sends in its own thread, so parsing goes on while PostgreSQL ingests.
        raw = cursor.cursor
        with raw.copy(f"COPY annotations_article ({columns}) FROM STDIN", writer=QueuedLibpqWriter(raw)) as copy:
            for pk, r in zip(ids, rows):
                copy.write_row((pk, r.title, r.body, r.outlet, r.url, r.published_on, r.language, r.sha, 1,
                                batch.pk, Article.Review.NEEDS_REVIEW, now, now))
    return ids


_LZ4: dict[str, bool] = {}


def _lz4_available(cursor) -> bool:
    key = connection.settings_dict["NAME"]
    if key not in _LZ4:
        cursor.execute("SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'")
        row = cursor.fetchone()
        _LZ4[key] = bool(row and row[0])
    return _LZ4[key]


def _insert_each(rows: list, batch: ImportBatch) -> tuple[list[int], list]:
    """(ids, rows) of the rows that could be stored, skipping the ones stored meanwhile."""
    ids, kept = [], []
    for r in rows:
        try:
            with transaction.atomic():
                article = Article.objects.create(
                    title=r.title, body=r.body, url=r.url, outlet=r.outlet, published_on=r.published_on,
                    language=r.language, body_sha256=r.sha, import_batch=batch)
        except IntegrityError:
            continue
        ids.append(article.pk)
        kept.append(r)
    return ids, kept


def _store_spans(article: Article, row) -> None:
    """Quote and speaker spans from another tool become accepted quotes with origin 'import'.
    A quote's speaker is the nearest speaker span before it (or after it, when none is before)."""
    speakers = [s for s in row.spans if s.label == "speaker"]
    quotes = []
    taken = set(Quote.objects.filter(article=article).values_list("start", "end"))  # a re-import's, kept
    for span in (s for s in row.spans if s.label == "quote"):
        start, end = _reanchor(article.body, row, span)
        if start is None or (start, end) in taken:
            continue
        taken.add((start, end))
        near = min(speakers, key=lambda s: (s.end > span.start, abs(span.start - s.end)), default=None)
        speaker, s_start, s_end = None, None, None
        name = " ".join(near.text.split()) if near is not None else ""
        # A "speaker" longer than any name can be is a mislabelled span: the quote lands without it.
        if name and len(name) <= Entity._meta.get_field("name").max_length:
            s_start, s_end = _reanchor(article.body, row, near)
            if s_start is not None:
                speaker = entity_resolve(speaker=Speaker(name=name))
        quotes.append(Quote(article=article, start=start, end=end, **services.span_anchor(article.body, start, end),
                            speaker=speaker, speaker_start=s_start, speaker_end=s_end,
                            status=Status.ACCEPTED, origin=Origin.IMPORT, kind=_kind(article.body[start:end])))
    Quote.objects.bulk_create(quotes)


def _reanchor(body: str, row, span):
    """The span's offsets in the normalised body (normalising may shift or compose text)."""
    import unicodedata

    wanted = unicodedata.normalize("NFC", span.text.replace("\r\n", "\n")).strip()
    if not wanted:
        return None, None
    # The occurrence nearest the span's own offset: the same words may stand earlier too
    # ('Mary said "no" ... John said "no"').
    best, at = None, body.find(wanted)
    while at != -1:
        if best is None or abs(at - span.start) < abs(best - span.start):
            best = at
        if at >= span.start:
            break  # the ones after are farther
        at = body.find(wanted, at + 1)
    return (best, best + len(wanted)) if best is not None else (None, None)


def _kind(text: str) -> str:
    t = text.strip()
    if t[:1] in "“\"" and t[-1:] in "”\"":
        return Quote.Kind.DIRECT
    return Quote.Kind.MIXED if any(c in t for c in "“”\"") else Quote.Kind.INDIRECT


def rate(batch: ImportBatch) -> tuple[float, float | None]:
    """(rows per second, seconds left) for a running batch."""
    if not batch.started_at or not batch.processed:
        return 0.0, None
    elapsed = max((batch.finished_at or timezone.now()) - batch.started_at, datetime.timedelta(milliseconds=1))
    per_s = batch.processed / elapsed.total_seconds()
    left = max(batch.total - batch.processed, 0) / per_s if per_s and batch.status == "running" else None
    return per_s, left


