import json

from django.core.management.base import BaseCommand, CommandError

from annotations.suggest.jsonl import read_jsonl, suggestion_record


class Command(BaseCommand):
    help = "Run the suggestion engine over a JSONL file of {id, text} (no database needed)."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("input")
        parser.add_argument("output")

    def handle(self, *args, input, output, **options):
        count = 0
        try:
            with open(output, "w", encoding="utf-8") as out:
                for n, doc in read_jsonl(input):
                    out.write(json.dumps(suggestion_record(doc.get("id", n), doc["text"]), ensure_ascii=False) + "\n")
                    count += 1
        except (OSError, ValueError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"{count} articles -> {output}")
