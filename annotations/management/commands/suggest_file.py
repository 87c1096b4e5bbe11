import json

from django.core.management.base import BaseCommand, CommandError

from annotations.suggest.jsonl import read_jsonl, suggestion_record
from annotations.suggest.learned import ModelError, load


class Command(BaseCommand):
    help = "Run the suggestion engine over a JSONL file of {id, text} (no database needed)."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("input")
        parser.add_argument("output")
        parser.add_argument("--model", help="a model file from train_suggester (default: the rules)")

    def handle(self, *args, input, output, model=None, **options):
        try:
            suggest_fn = load(model).suggest if model else None
        except ModelError as exc:
            raise CommandError(str(exc)) from None
        count = 0
        try:
            with open(output, "w", encoding="utf-8") as out:
                for n, doc in read_jsonl(input):
                    record = suggestion_record(doc.get("id", n), doc["text"], suggest_fn)
                    out.write(json.dumps(record, ensure_ascii=False) + "\n")
                    count += 1
        except (OSError, ValueError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"{count} articles -> {output}")
