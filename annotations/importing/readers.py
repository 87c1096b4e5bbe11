"""Readers for each import format. Each yields ArticleRow or Failure, one per input row,
streaming, so a large file never sits in memory."""

import csv
import json
import mmap
import os
import re
import zipfile
from array import array
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from annotations.importing.decode import TOO_LONG_REASON, LineTooLong, decode_line, text_lines
from annotations.importing.rows import RowError, Span, article_row, default_mapping, json_type
from annotations.seeds import SeedError, parse_seed

FORMATS = ["csv", "jsonl", "seed", "doccano", "labelstudio"]
MAX_ZIP_BYTES = 2 * 1024**3  # what an archive may expand to, in all
MAX_SEED_BYTES = 8 * 1024**2
MAX_ZIP_RATIO = 100
PREVIEW_CHECK_ROWS = 200_000  # rows the admin preview validates before importing
MAX_JSON_DEPTH = 200  # a Label Studio task nests about 6 deep
TOO_DEEP = "JSON nested too deeply"
# What the task-line scan of a Label Studio list reads: strings (skipped whole), brackets,
# commas and line ends.
JSON_TOKEN = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{},\n]')
csv.field_size_limit(16 * 1024**2)

DEFAULT_LABELS = {"quote": "quote", "quotation": "quote", "content": "quote", "statement": "quote",
                  "speaker": "speaker", "source": "speaker", "person": "speaker", "cue": "cue"}


@dataclass
class Failure:
    file: str
    line: int
    reason: str


class UnusableInput(Exception):
    """The whole input cannot be read (missing file, unknown format): exit code 2."""


def detect(path: Path) -> str:
    if not path.exists():
        raise UnusableInput(f"{path}: no such file or folder")
    if path.is_dir():
        return "seed"
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv"):
        return "csv"
    if suffix in (".txt", ".zip"):
        return "seed"
    if suffix == ".json":
        return "labelstudio"
    if suffix in (".jsonl", ".ndjson"):
        with path.open("rb") as fh:
            for raw in fh:
                if raw.strip():
                    try:
                        first = json.loads(decode_line(raw)[0])
                    except (ValueError, RecursionError):
                        return "jsonl"
                    labelled = isinstance(first, dict) and any(k in first for k in ("label", "labels", "entities"))
                    return "doccano" if labelled else "jsonl"
        return "jsonl"
    raise UnusableInput(f"{path}: cannot tell the format from the name; give --format")


def read(path: Path, fmt: str, *, mapping: dict | None = None, outlet: str = "", labels: dict | None = None):
    if not path.exists():
        raise UnusableInput(f"{path}: no such file or folder")
    fmt = detect(path) if fmt == "auto" else fmt
    if fmt not in FORMATS:
        raise UnusableInput(f"unknown format {fmt!r} (one of: auto, {', '.join(FORMATS)})")
    labels = {k.lower(): v for k, v in (labels or DEFAULT_LABELS).items()}
    if fmt == "seed":
        yield from _seeds(path, outlet)
    elif fmt == "csv":
        yield from _csv(path, mapping, outlet)
    elif fmt == "jsonl":
        yield from _jsonl(path, mapping, outlet)
    elif fmt == "doccano":
        yield from _doccano(path, mapping, outlet, labels)
    else:
        yield from _labelstudio(path, mapping, outlet, labels)


def _row(data, *, file, line, mapping, outlet, spans=()):
    try:
        return article_row(data, file=file, line=line, mapping=mapping, outlet=outlet, spans=spans)
    except RowError as exc:
        return Failure(file, line, str(exc))


def _csv(path: Path, mapping, outlet):
    name = path.name
    with path.open("rb") as fh:
        head = fh.peek(4096)[:4096] if hasattr(fh, "peek") else b""
        lines = text_lines(fh, head)
        sample = next(lines, "")
        dialect = csv.excel_tab if path.suffix.lower() == ".tsv" or sample.count("\t") > sample.count(",") else csv.excel

        too_long: list[int] = []

        def all_lines():
            yield sample
            for n, line in enumerate(lines, 2):
                if isinstance(line, LineTooLong):
                    too_long.append(n)
                yield line

        # strict: a quoted field never closed fails at the end of the file instead of taking
        # every line after it into one field.
        reader = csv.reader(all_lines(), dialect, strict=True)
        try:
            header = next(reader)
        except (StopIteration, csv.Error):
            raise UnusableInput(f"{name}: no header row") from None
        columns = [h.strip() for h in header]
        mapping = mapping or default_mapping(columns)
        if "body" not in mapping:
            raise UnusableInput(f"{name}: no body column (looked for: body, text, content); columns: {columns}")
        start_line = reader.line_num + 1
        while True:
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                if too_long:
                    yield Failure(name, too_long.pop(0), TOO_LONG_REASON)
                if "unexpected end of data" in str(exc):
                    yield Failure(name, start_line, f"a quoted field opened in this row is never closed: "
                                                    f"lines {start_line}-{reader.line_num} were read as one "
                                                    f"row and not imported; close the quote and import again")
                    return
                yield Failure(name, reader.line_num, f"unreadable CSV ({exc})")
                start_line = reader.line_num + 1
                continue
            while too_long:
                yield Failure(name, too_long.pop(0), TOO_LONG_REASON)
            if not any(v.strip() for v in values):
                start_line = reader.line_num + 1
                continue
            if len(values) != len(columns):
                yield Failure(name, start_line, f"{len(values)} fields, the header has {len(columns)}")
            else:
                yield _row(dict(zip(columns, values)), file=name, line=start_line, mapping=mapping, outlet=outlet)
            start_line = reader.line_num + 1


def _json_lines(path: Path):
    """(line, object | Failure) for each non-blank line."""
    name = path.name
    with path.open("rb") as fh:
        head = fh.peek(4096)[:4096] if hasattr(fh, "peek") else b""
        for n, line in enumerate(text_lines(fh, head), 1):
            if isinstance(line, LineTooLong):
                yield n, Failure(name, n, TOO_LONG_REASON)
                continue
            if not line.strip():
                continue
            try:
                obj = json.loads(line.lstrip("\ufeff"))
            except ValueError as exc:
                yield n, Failure(name, n, f"malformed JSON ({exc.args[0].split(':')[0]})")
                continue
            except RecursionError:
                yield n, Failure(name, n, TOO_DEEP)
                continue
            yield n, obj if isinstance(obj, dict) else Failure(name, n, "expected a JSON object")


def _jsonl(path, mapping, outlet):
    for n, obj in _json_lines(path):
        if isinstance(obj, Failure):
            yield obj
        else:
            yield _row(obj, file=path.name, line=n, mapping=mapping or default_mapping(list(obj)), outlet=outlet)


def _spans(items, text, labels) -> list[Span]:
    """The spans of one labelled row; `items` are (where, start, end, label, text the tool
    says it holds or None). One that cannot be placed is the row's error, never dropped in
    silence; labels that are none of ours are other layers of the project and are left out,
    unless no label of the row is ours (a project whose labels need --label-map)."""
    spans, unknown = [], []
    for where, start, end, label, claimed in items:
        kind = labels.get(str(label).lower())
        if not kind:
            unknown.append(str(label)[:40])
            continue
        if type(start) is not int or type(end) is not int:
            raise RowError(f"{where}: start and end must be whole numbers, "
                           f"got {json_type(start)} and {json_type(end)}")
        if not 0 <= start < end <= len(text):
            raise RowError(f"{where}: span {start}-{end} is not inside the text (0-{len(text)})")
        if claimed is not None and claimed != text[start:end]:
            raise RowError(f"{where}: its text {str(claimed)[:40]!r} is not what the text holds at {start}-{end} "
                           f"({text[start:end][:40]!r})")
        spans.append(Span(start, end, kind, text[start:end]))
    if unknown and not spans:
        names = ", ".join(sorted({repr(u) for u in unknown})[:5])
        raise RowError(f"labels {names} are none of {', '.join(sorted(set(labels.values())))}: "
                       f"map them with import_articles --label-map")
    return spans


def _doccano(path, mapping, outlet, labels):
    for n, obj in _json_lines(path):
        if isinstance(obj, Failure):
            yield obj
            continue
        try:
            text, items = _doccano_spans(obj)
            spans = _spans(items, text, labels)
        except RowError as exc:
            yield Failure(path.name, n, str(exc))
            continue
        yield _row({**obj, "text": text}, file=path.name, line=n, outlet=outlet,
                   mapping=mapping or default_mapping(list(obj) + ["text"]), spans=spans)


def _doccano_spans(obj: dict) -> tuple[str, list]:
    """(text, [(where, start, end, label, None)]) of a doccano row, in either of its export
    shapes. Labels that are not spans (a classification project's) are left out."""
    text = obj.get("text") or obj.get("data") or ""
    if not isinstance(text, str):
        raise RowError(f"text: expected a string, got {json_type(text)}")
    entities = obj.get("entities")
    if entities:
        if not isinstance(entities, list) or not all(isinstance(e, dict) for e in entities):
            raise RowError("entities: expected a list of objects with start_offset, end_offset and label")
        return text, [(f"entities[{i}]", e.get("start_offset"), e.get("end_offset"), e.get("label"), None)
                      for i, e in enumerate(entities)]
    name = "label" if "label" in obj else "labels"
    raw = obj.get(name) or []
    if not isinstance(raw, list):
        raise RowError(f"{name}: expected a list of [start, end, label], got {json_type(raw)}")
    items = []
    for i, x in enumerate(raw):
        if isinstance(x, str):
            continue  # a label of the whole text (a classification project's), not a span
        if not isinstance(x, list) or len(x) < 3:
            raise RowError(f"{name}[{i}]: expected [start, end, label], got {str(x)[:40]}")
        items.append((f"{name}[{i}]", x[0], x[1], x[2], None))
    return text, items


def _labelstudio_tasks(path: Path):
    """(line, task) of each task of a Label Studio export, one at a time: a list is streamed
    (ijson), so a file of any size needs memory for one task; a single task object is read whole."""
    import ijson

    name = path.name
    with path.open("rb") as fh:
        first = fh.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
        fh.seek(0)
        if first == b"{":
            try:
                yield 1, json.load(fh)
            except ValueError as exc:
                raise UnusableInput(f"{name}: not a Label Studio JSON export ({exc})") from None
            except RecursionError:
                raise UnusableInput(f"{name}: not a Label Studio JSON export ({TOO_DEEP})") from None
            return
        if first != b"[":
            raise UnusableInput(f"{name}: not a Label Studio JSON export (expected a list of tasks)")
        lines = _task_lines(fh, name)
        try:
            for n, task in enumerate(ijson.items(fh, "item", use_float=True)):
                yield (lines[n] if n < len(lines) else 0), task
        except ijson.JSONError as exc:
            raise UnusableInput(f"{name}: not a Label Studio JSON export ({exc})") from None


def _task_lines(fh, name: str) -> array:
    """The line each task of a Label Studio list starts on, for the reports' FILE:LINE, from a
    first pass that holds nothing. It is also the guard against absurd nesting, which kills
    the C parser's object builder (and the process with it)."""
    starts, depth, line, expecting = array("L"), 0, 1, False
    with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        for m in JSON_TOKEN.finditer(mm):
            c = mm[m.start()]  # the token's first byte: a string is never copied
            if c == 0x0A:
                line += 1
                continue
            if expecting and depth == 1:
                starts.append(line)
                expecting = False
            if c == 0x5B or c == 0x7B:  # [ {
                depth += 1
                if depth > MAX_JSON_DEPTH:
                    raise UnusableInput(f"{name}: not a Label Studio JSON export ({TOO_DEEP})")
                expecting = depth == 1
            elif c == 0x5D or c == 0x7D:
                depth -= 1
            elif c == 0x2C and depth == 1:  # , between tasks
                expecting = True
    if depth:  # refused whole before any task is read, as a parser would (a cut-off download, say)
        raise UnusableInput(f"{name}: not a Label Studio JSON export (it ends inside a task or a string: cut short?)")
    return starts


def _labelstudio(path, mapping, outlet, labels):
    name = path.name
    for k, (n, task) in enumerate(_labelstudio_tasks(path), 1):
        try:
            data, text, items = _labelstudio_task(task)
            spans = _spans(items, text, labels)
        except RowError as exc:
            yield Failure(name, n, f"task {k}: {exc}")  # the task's number tells apart tasks on one line
            continue
        yield _row({**data, "text": text}, file=name, line=n, outlet=outlet,
                   mapping=mapping or default_mapping(list(data) + ["text"]), spans=spans)


def _labelstudio_task(task) -> tuple[dict, str, list]:
    """(data, text, [(where, start, end, label, text)]) of one Label Studio task. Results that
    are not labelled spans (choices, relations) carry no labels and are left out."""
    data = task.get("data") if isinstance(task, dict) else None
    if not isinstance(data, dict):
        raise RowError("task without a data object")
    text = data.get("text") or data.get("body") or ""
    if not isinstance(text, str):
        raise RowError(f"data.text: expected a string, got {json_type(text)}")
    annotations = task.get("annotations") or task.get("completions") or []
    if not _objects(annotations):
        raise RowError("annotations: expected a list of objects")
    items = []
    for a, annotation in enumerate(annotations):
        results = annotation.get("result") or []
        if not _objects(results):
            raise RowError("annotations: result: expected a list of objects")
        for r, result in enumerate(results):
            value = result.get("value") or {}
            if not isinstance(value, dict):
                raise RowError(f"annotations: result: value: expected an object, got {json_type(value)}")
            found = value.get("labels") or []
            if not isinstance(found, list):
                raise RowError(f"annotations: result: value: labels: expected a list, got {json_type(found)}")
            items += [(f"annotations[{a}].result[{r}]", value.get("start"), value.get("end"), label,
                       value.get("text")) for label in found]
    return data, text, items


def _objects(value) -> bool:
    return isinstance(value, list) and all(isinstance(v, dict) for v in value)


def _seed_row(text: str, *, file: str, outlet: str):
    try:
        seed = parse_seed(text, source=file)
    except SeedError as exc:
        return Failure(file, 1, str(exc).removeprefix(f"{file}: "))
    data = {"body": seed.body, "title": seed.title, "published_on": seed.published_on.isoformat()}
    return _row(data, file=file, line=1, mapping={k: k for k in data}, outlet=outlet)


def _decode_file(raw: bytes) -> str:
    from annotations.importing.decode import sniff

    encoding = sniff(raw[:4096])
    if encoding:
        return raw.decode(encoding)
    return "".join(decode_line(line)[0] for line in raw.splitlines(keepends=True))


def _seeds(path: Path, outlet):
    if path.is_dir():
        for file in sorted(p for p in path.rglob("*") if p.is_file()):
            rel = str(file.relative_to(path))
            if file.suffix.lower() == ".zip":
                yield from _zip(file, outlet)
            elif file.suffix.lower() == ".txt":
                if file.stat().st_size > MAX_SEED_BYTES:
                    yield Failure(rel, 1, f"file over the {MAX_SEED_BYTES // 1024**2} MB limit")
                else:
                    yield _seed_row(_decode_file(file.read_bytes()), file=rel, outlet=outlet)
    elif path.suffix.lower() == ".zip":
        yield from _zip(path, outlet)
    else:
        yield _seed_row(_decode_file(path.read_bytes()), file=path.name, outlet=outlet)


def _zip(path: Path, outlet):
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        yield Failure(path.name, 0, f"not a readable zip archive ({exc})")
        return
    expanded = 0
    with archive:
        for info in archive.infolist():
            member = f"{path.name}:{info.filename}"
            if info.is_dir():
                continue
            parts = PurePosixPath(info.filename.replace("\\", "/")).parts
            if info.filename.startswith(("/", "\\")) or ".." in parts or (parts and ":" in parts[0]):
                yield Failure(member, 0, "member name leaves the archive's folder; skipped")
                continue
            if not info.filename.lower().endswith(".txt"):
                continue
            expanded += info.file_size
            if expanded > MAX_ZIP_BYTES:
                yield Failure(member, 0, f"archive expands past {MAX_ZIP_BYTES // 1024**3} GB; stopped here")
                return
            if info.file_size > MAX_SEED_BYTES:
                yield Failure(member, 0, f"member over the {MAX_SEED_BYTES // 1024**2} MB limit")
                continue
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > MAX_ZIP_RATIO:
                # Text packs 3 to 10 times; hundreds of times is a bomb, not an article.
                yield Failure(member, 0, f"member compressed {ratio:,.0f} to 1, over {MAX_ZIP_RATIO} to 1; skipped")
                continue
            with archive.open(info) as fh:
                raw = fh.read(MAX_SEED_BYTES + 1)  # the header's size may lie
            if len(raw) > MAX_SEED_BYTES:
                yield Failure(member, 0, f"member over the {MAX_SEED_BYTES // 1024**2} MB limit")
                continue
            yield _seed_row(_decode_file(raw), file=member, outlet=outlet)


def preview(path: Path, fmt: str, mapping: dict | None = None, rows: int = 5) -> dict:
    """What the admin sees before confirming: format, columns, mapping and the first rows."""
    fmt = detect(path) if fmt == "auto" else fmt
    columns: list[str] = []
    if fmt == "csv":
        with path.open("rb") as fh:
            first = next(text_lines(fh, fh.peek(4096)[:4096]), "")
        try:
            columns = next(csv.reader([first], csv.excel_tab if first.count("\t") > first.count(",") else csv.excel), [])
        except csv.Error as exc:
            raise UnusableInput(f"{path.name}: unreadable header row ({exc})") from None
    elif fmt in ("jsonl", "doccano"):
        for _, obj in _json_lines(path):
            if isinstance(obj, dict):
                columns = list(obj)
            break
    # Every row is checked with the import's own rules (nothing is written), so the admin
    # sees how many will fail before importing; past PREVIEW_CHECK_ROWS the rest is not read.
    sample, good, bad, problems = [], 0, 0, []
    for item in read(path, fmt, mapping=mapping):
        if len(sample) < rows:
            sample.append(item)
        if isinstance(item, Failure):
            bad += 1
            if len(problems) < 20:
                problems.append(item)
        else:
            good += 1
        if good + bad >= PREVIEW_CHECK_ROWS:
            break
    return {"format": fmt, "columns": [c.strip() for c in columns],
            "mapping": mapping or default_mapping(columns) if columns else mapping or {}, "rows": sample,
            "size": os.path.getsize(path) if path.is_file() else None,
            "checked": {"good": good, "bad": bad, "problems": problems,
                        "capped": good + bad >= PREVIEW_CHECK_ROWS}}
