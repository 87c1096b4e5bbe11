"""The learned suggester against the rules: train on one gold file, score both on another,
and time them. Gold files stay on this machine; the model goes to a temporary file."""

import json
import os
import resource
import tempfile
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from annotations.suggest import engine, learned
from annotations.suggest.evaluate import evaluate_confidence, evaluate_endorsements, evaluate_quotes
from annotations.suggest.jsonl import read_jsonl, suggestion_record

EVAL = settings.BASE_DIR.parent / "shared" / "eval"


def _scores(gold: dict, suggest_fn) -> tuple[dict, float]:
    started = time.perf_counter()
    pred = {i: suggestion_record(i, d["text"], suggest_fn) for i, d in gold.items()}
    seconds = time.perf_counter() - started
    q, c = evaluate_quotes(gold, pred), evaluate_confidence(gold, pred)
    return {"quote_f1@0.5": q["quote@0.5"]["f1"], "attribution_f1@0.5": q["attribution@0.5"]["f1"],
            "quote_precision@0.5": q["quote@0.5"]["precision"], "quote_recall@0.5": q["quote@0.5"]["recall"],
            "precision@conf>=0.8": c["precision@conf>=0.8"]["precision"],
            "n@conf>=0.8": c["precision@conf>=0.8"]["n"], "ece": c["ece"],
            "articles_per_s": round(len(gold) / seconds, 1)}, seconds


class Command(BaseCommand):
    help = "Train the learned suggester on --train, compare it with the rules on --dev (scores, speed, size)."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--train", default=str(EVAL / "polnear_train.jsonl"))
        parser.add_argument("--dev", default=str(EVAL / "polnear_dev.jsonl"))
        parser.add_argument("--max-articles", type=int, default=0, help="train on the first N articles only")
        parser.add_argument("--max-iterations", type=int, default=200)
        parser.add_argument("--endorsements", default=str(EVAL / "seesaw_train_valid.jsonl"),
                            help="stances: trained on its 'train' split, scored on 'valid' ('' to leave out)")

    def handle(self, *args, train, dev, max_articles, max_iterations, endorsements, **options):
        missing = [p for p in (train, dev) if not os.path.exists(p)]
        if missing:
            self.stdout.write(f"skipped: gold file(s) not found: {', '.join(missing)} "
                              f"(see ../shared/eval/README.md; they are not part of the repository)")
            return
        try:
            train_docs = [d for _, d in read_jsonl(train)]
            dev_docs = {str(d.get("id", n)): d for n, d in read_jsonl(dev)}
        except (OSError, ValueError) as exc:
            raise CommandError(str(exc)) from None
        if max_articles:
            train_docs = train_docs[:max_articles]
        stance_docs = []
        if endorsements and os.path.exists(endorsements):
            stance_docs = [d for _, d in read_jsonl(endorsements)]
        stance_train = [d for d in stance_docs if d.get("split") == "train"]
        stance_valid = {str(d["id"]): d for d in stance_docs if d.get("split") == "valid"}
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        model = learned.train(train_docs, endorsements=stance_train, sources=[os.path.basename(train)],
                              max_iterations=max_iterations)
        train_s = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "model.zip")
            model.save(path)
            size = os.path.getsize(path)
            model = learned.load(path)
        rules, _ = _scores(dev_docs, engine.suggest)
        learned_scores, _ = _scores(dev_docs, model.suggest)
        result = {"train_articles": len(train_docs), "dev_articles": len(dev_docs), "model": model.version,
                  "train_seconds": round(train_s, 1), "peak_rss_mb": round(peak_mb),
                  "peak_rss_mb_before_training": round(rss_before / 1024), "model_bytes": size,
                  "heldout": model.meta.get("heldout"), engine.ENGINE_VERSION: rules, "learned": learned_scores}
        self.stdout.write(f"trained on {len(train_docs)} articles in {train_s:.1f} s, peak RSS {peak_mb:.0f} MB, "
                          f"model {size / 1e6:.2f} MB ({model.version})")
        self.stdout.write(f"{'on ' + str(len(dev_docs)) + ' dev articles':24} {'quoteF1':>8} {'attrF1':>8} "
                          f"{'P@c>=.8':>8} {'ECE':>6} {'art/s':>7}")
        for name, s in ((engine.ENGINE_VERSION, rules), ("learned", learned_scores)):
            p8 = "-" if s["precision@conf>=0.8"] is None else f"{s['precision@conf>=0.8']:.3f}"
            self.stdout.write(f"{name:24} {s['quote_f1@0.5']:8.3f} {s['attribution_f1@0.5']:8.3f} {p8:>8} "
                              f"{s['ece']:6.3f} {s['articles_per_s']:7.1f}")
        if stance_valid:
            result["endorsements"] = {}
            self.stdout.write(f"{'on ' + str(len(stance_valid)) + ' stance articles':24} {'P':>8} {'R':>8} "
                              f"{'F1':>8} {'F1 any polarity':>16}")
            for name, fn in ((engine.ENGINE_VERSION, engine.suggest), ("learned", model.suggest)):
                pred = {i: suggestion_record(i, d["text"], fn) for i, d in stance_valid.items()}
                e = evaluate_endorsements(stance_valid, pred)
                result["endorsements"][name] = e
                m = e["endorsement"]
                self.stdout.write(f"{name:24} {m['precision']:8.3f} {m['recall']:8.3f} {m['f1']:8.3f} "
                                  f"{e['endorsement_any_polarity']['f1']:16.3f}")
        self.stdout.write(json.dumps(result))
