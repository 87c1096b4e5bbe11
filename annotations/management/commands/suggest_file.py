import json
import os

from django.core.management.base import BaseCommand, CommandError

from annotations.suggest.jsonl import read_jsonl, suggestion_record
from annotations.suggest.learned import ModelError
from annotations.suggesters import suggester_for_files


class Command(BaseCommand):
    help = "Run the suggestion engine over a JSONL file of {id, text} (no database needed: the rules answer)."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("input")
        parser.add_argument("output")
        parser.add_argument("--model", help="a model file from train_suggester (default: the active model when "
                                            "the database answers, else the rules)")
        parser.add_argument("--rules", action="store_true", help="the rules, whatever model is active")

    def handle(self, *args, input, output, model=None, rules=False, **options):
        if model and rules:
            raise CommandError("give --model or --rules, not both")
        try:
            suggest_fn = suggester_for_files(model_path=model, rules=rules)
        except ModelError as exc:
            raise CommandError(str(exc)) from None
        if os.path.exists(output) and os.path.exists(input) and os.path.samefile(input, output):
            raise CommandError(f"{output} is the input file: give another file for the suggestions")
        # Written beside the output and moved over it at the end: a bad input line leaves an
        # older output as it was, and an input that cannot be read makes no file.
        count, version, tmp = 0, "", f"{output}.tmp{os.getpid()}"
        try:
            with open(input, "rb"):
                pass  # said before any file is made
            with open(tmp, "w", encoding="utf-8") as out:
                for n, doc in read_jsonl(input):
                    record = suggestion_record(doc.get("id", n), doc["text"], suggest_fn)
                    out.write(json.dumps(record, ensure_ascii=False) + "\n")
                    count, version = count + 1, record["engine_version"]
            os.replace(tmp, output)
        except (OSError, ValueError) as exc:
            raise CommandError(str(exc)) from None
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)
        self.stdout.write(f"{count} articles -> {output}" + (f" (suggested by {version})" if version else ""))
