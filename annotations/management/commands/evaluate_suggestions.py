import json

from django.core.management.base import BaseCommand, CommandError

from annotations.suggest.evaluate import (
    CONFIDENCE_THRESHOLDS,
    THRESHOLDS,
    evaluate_confidence,
    evaluate_endorsements,
    evaluate_quotes,
)
from annotations.suggest.jsonl import prediction_problem, read_gold, read_jsonl, suggestion_record
from annotations.suggest.learned import ModelError
from annotations.suggesters import suggester_for_files


class Command(BaseCommand):
    help = "Score the engine (or a predictions file) against gold JSONL: quotes, speakers, endorsements."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("gold")
        parser.add_argument("--pred", help="predictions JSONL (default: run the engine now)")
        parser.add_argument("--model", help="a model file from train_suggester (default: the active model when "
                                            "the database answers, else the rules)")
        parser.add_argument("--rules", action="store_true", help="the rules, whatever model is active")
        parser.add_argument("--split", help="score only the articles of this split (a file's 'split' field)")

    def handle(self, *args, gold, pred, model=None, split=None, rules=False, **options):
        if sum(map(bool, (pred, model, rules))) > 1:
            raise CommandError("give one of --pred, --model and --rules")
        try:
            suggest_fn = None if pred else suggester_for_files(model_path=model, rules=rules)
        except ModelError as exc:
            raise CommandError(str(exc)) from None
        try:
            gold_docs = {str(d.get("id", n)): d for n, d in read_gold(gold, split=split, warn=self.stderr.write)}
            if not gold_docs:
                raise CommandError(f"no articles in {gold}" + (f" with split {split!r}" if split else ""))
            if pred:
                pred_docs = _predictions(pred)
                covered = len(set(pred_docs) & set(gold_docs))
                if not covered:
                    raise CommandError(f"no prediction in {pred} has the id of an article in {gold}")
                if covered < len(gold_docs):
                    self.stderr.write(f"{pred} has predictions for {covered} of the {len(gold_docs)} gold articles: "
                                      f"the other {len(gold_docs) - covered} are scored as suggesting nothing")
            else:
                pred_docs = {i: suggestion_record(i, d["text"], suggest_fn) for i, d in gold_docs.items()}
        except (OSError, ValueError, KeyError) as exc:
            raise CommandError(str(exc)) from None
        versions = sorted({d.get("engine_version") for d in pred_docs.values() if d.get("engine_version")})
        result = {"engine_version": ", ".join(versions)}
        self.stdout.write(f"engine_version: {result['engine_version'] or '?'}")
        if any("quotes" in d for d in gold_docs.values()):
            result["quotes"] = q = evaluate_quotes(gold_docs, pred_docs)
            self.stdout.write(f"quotes: {q['articles']} articles, {q['gold']} gold, {q['predicted']} predicted")
            self.stdout.write(f"{'metric':22} {'P':>7} {'R':>7} {'F1':>7}")
            for key in [f"quote@{t}" for t in THRESHOLDS] + ["attribution@0.5"]:
                m = q[key]
                self.stdout.write(f"{key:22} {m['precision']:7.3f} {m['recall']:7.3f} {m['f1']:7.3f}")
            self.stdout.write(f"{'speaker accuracy@0.5':22} {q['speaker_accuracy@0.5']:7.3f}")
            result["confidence"] = c = evaluate_confidence(gold_docs, pred_docs)
            for t in CONFIDENCE_THRESHOLDS:
                m = c[f"precision@conf>={t}"]
                shown = "   -   " if m["precision"] is None else f"{m['precision']:7.3f}"
                self.stdout.write(f"{f'precision@conf>={t}':22} {shown} (n={m['n']})")
            self.stdout.write(f"{'calibration error (ECE)':22} {c['ece']:7.3f}")
        if any("stances" in d for d in gold_docs.values()):
            result["endorsements"] = e = evaluate_endorsements(gold_docs, pred_docs)
            self.stdout.write(f"endorsements: {e['gold']} gold, {e['predicted']} predicted")
            for key in ("endorsement", "endorsement_any_polarity"):
                m = e[key]
                self.stdout.write(f"{key:26} {m['precision']:7.3f} {m['recall']:7.3f} {m['f1']:7.3f}")
        self.stdout.write(json.dumps(result))


def _predictions(path) -> dict:
    """id -> a prediction record, from a JSONL file of them; a bad line raises ValueError naming
    it (a record left out would be scored as suggesting nothing, a score that says nothing)."""
    out = {}
    for n, doc in read_jsonl(path, need="id"):
        problem = prediction_problem(doc)
        if problem is not None:
            raise ValueError(f"{path}: line {n}: {problem}")
        out[str(doc["id"])] = doc
    return out
