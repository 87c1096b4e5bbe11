import json
import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from annotations.importing.readers import FORMATS
from annotations.importing.runner import import_run, rate
from annotations.models import ImportBatch


class Command(BaseCommand):
    help = ("Import articles from CSV, JSONL, seed text (files, folders, .zip), doccano JSONL or "
            "Label Studio JSON. Exit 0: every row landed or was a duplicate; 1: some rows failed; "
            "2: the input is unusable.")

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+")
        parser.add_argument("--format", default="auto", choices=["auto", *FORMATS])
        parser.add_argument("--outlet", default="", help="outlet for rows that name none")
        parser.add_argument("--no-suggest", action="store_true", help="do not queue suggestions")
        parser.add_argument("--batch-size", type=int, default=1000)
        parser.add_argument("--update", action="store_true",
                            help="a row whose url is stored with another text corrects that article "
                                 "(new revision, annotations re-anchored)")
        parser.add_argument("--label-map", default="",
                            help='JSON: label -> quote|speaker, e.g. \'{"QUOTE": "quote", "SRC": "speaker"}\'')
        parser.add_argument("--mapping", default="", help='JSON: field -> column, e.g. \'{"body": "story"}\'')

    def handle(self, *args, paths, format, outlet, no_suggest, batch_size, label_map, mapping, update, **options):
        try:
            labels = json.loads(label_map) if label_map else None
            columns = json.loads(mapping) if mapping else None
        except ValueError as exc:
            raise CommandError(f"--label-map/--mapping: not JSON ({exc})", returncode=2) from None
        for option, value in (("--label-map", labels), ("--mapping", columns)):
            if value is not None and not (isinstance(value, dict)
                                          and all(isinstance(v, str) for v in value.values())):
                raise CommandError(f'{option}: expected a JSON object of names, e.g. {{"a": "b"}}', returncode=2)
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1", returncode=2)
        batch = ImportBatch.objects.create(file_name=", ".join(paths)[:500], format=format,
                                           options={"outlet": outlet, "mapping": columns, "labels": labels})
        tty = sys.stderr.isatty()
        started = time.monotonic()

        def progress(b):
            if tty:
                per_s, left = rate(b)
                share = min(b.processed / b.total, 1) if b.total else 0
                bar = "#" * int(share * 30)
                eta = f"  {left:,.0f}s left" if left is not None else ""
                sys.stderr.write(f"\r[{bar:<30}] {b.processed:,}/{b.total:,} rows  {per_s:,.0f} rows/s{eta}   ")
                sys.stderr.flush()

        outcome = import_run(paths=[Path(p) for p in paths], fmt=format, batch=batch, batch_size=batch_size,
                             suggest=not no_suggest, mapping=columns, outlet=outlet, labels=labels,
                             progress=progress, on_failure=lambda f: self.stdout.write(f"{f.file}:{f.line}: {f.reason}"),
                             update=update)
        if tty:
            sys.stderr.write("\n")
        for reason in outcome.unusable:
            self.stderr.write(f"unusable: {reason}")
        elapsed = time.monotonic() - started
        rows = outcome.created + outcome.duplicates + outcome.failed + outcome.updated
        self.stderr.write(f"{rows:,} rows in {elapsed:.1f}s ({rows / elapsed if elapsed else 0:,.0f} rows/s), "
                          f"import batch {batch.pk}")
        self.stdout.write(f"created={outcome.created} duplicates={outcome.duplicates} failed={outcome.failed}"
                          + (f" updated={outcome.updated}" if update else ""))
        if outcome.unusable and not rows:
            sys.exit(2)
        if outcome.failed or outcome.unusable:
            sys.exit(1)
