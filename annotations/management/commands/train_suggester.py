"""Train the learned suggester from gold JSONL files (format: ../shared/eval/README.md): quotes
from --from, endorsements from --endorsements (SEESAW-style stances), and the editors' own
decisions with --from-db. Gold files from public corpora are for use on this machine: keep the
model out of the repository."""

import os

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection

from annotations.suggest import learned
from annotations.suggest.jsonl import read_gold


class Command(BaseCommand):
    help = "Train the quote suggester (a CRF over tokens) from gold JSONL and save it to a file."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="sources", action="append", default=[], metavar="GOLD.jsonl",
                            help="gold articles with quotes; repeat to combine files")
        parser.add_argument("--endorsements", action="append", default=[], metavar="STANCES.jsonl",
                            help="gold articles with stances (who supports or opposes whom); repeat to combine")
        parser.add_argument("--split", help="use only the articles of this split (a file's 'split' field), "
                                            "e.g. train; articles without the field are used")
        parser.add_argument("--from-db", action="store_true",
                            help="also the editors' decisions: articles marked done are complete gold, "
                                 "rejected suggestions elsewhere teach what is not a quote or endorsement")
        parser.add_argument("--save-to", metavar="MODEL", help="write the model to this file")
        parser.add_argument("--store", action="store_true",
                            help="keep the model in the database (every worker can then use it)")
        parser.add_argument("--activate", action="store_true",
                            help="keep it in the database and make it the model that suggests")
        parser.add_argument("--max-articles", type=int, default=0, help="use only the first N articles")
        parser.add_argument("--holdout", type=float, default=0.15,
                            help="share of articles held out for calibration and the stored scores")
        parser.add_argument("--max-iterations", type=int, default=200)

    def handle(self, *args, sources, endorsements, split, save_to, max_articles, holdout, max_iterations, store,
               activate, from_db, **options):
        if not (sources or from_db):
            raise CommandError("give gold files with --from, or --from-db, or both (--endorsements adds to them)")
        if not (save_to or store or activate):
            raise CommandError("say where the model goes: --save-to FILE, --store or --activate")
        if max_articles < 0 or max_iterations < 1:
            raise CommandError("--max-articles must be 0 (all) or more, --max-iterations 1 or more")
        if not 0 < holdout < 1:
            raise CommandError("--holdout must be between 0 and 1")
        # What would stop the model from being kept is said before training, not after it.
        if save_to and not os.path.isdir(os.path.dirname(os.path.abspath(save_to))):
            raise CommandError(f"cannot write {save_to}: its folder does not exist")
        if save_to and os.path.isdir(save_to):
            raise CommandError(f"cannot write {save_to}: it is a folder (give a file name)")
        if store or activate or from_db:
            try:
                connection.ensure_connection()
            except DatabaseError as exc:
                raise CommandError(f"cannot reach the database ({str(exc).strip().splitlines()[0]}): "
                                   f"{'--from-db reads it' if from_db else 'the model is stored there'}") from None
        try:
            docs = _read(sources, "quotes", split, self.stderr.write)
            stance_docs = _read(endorsements, "stances", split, self.stderr.write)
        except (OSError, ValueError) as exc:
            raise CommandError(str(exc)) from None
        found = []  # what was read, for the message when it is too little
        if sources:
            found.append(f"{len(docs)} in {', '.join(sources)}" + (f" with split {split!r}" if split else ""))
        if from_db:
            from annotations.selectors import gold_from_editors

            editors = gold_from_editors()
            docs += editors
            found.append(f"{sum(not d.get('partial') for d in editors)} marked done by editors")
        if max_articles:
            docs, stance_docs = docs[:max_articles], stance_docs[:max_articles]
            found.append(f"--max-articles {max_articles} keeps {len(docs)}")
        if len([d for d in docs if not d.get("partial")]) < 2:
            raise CommandError(f"need at least 2 gold articles (one is held out for calibration); found "
                               f"{' and '.join(found)}")
        names = [os.path.basename(p) for p in sources + endorsements] + (["editors' decisions"] if from_db else [])
        try:
            model = learned.train(docs, endorsements=stance_docs, sources=names, holdout=holdout,
                                  max_iterations=max_iterations)
        except ValueError as exc:
            raise CommandError(f"{exc} (read: {' and '.join(found)})") from None
        if save_to:
            try:
                model.save(save_to)
            except OSError as exc:
                raise CommandError(f"cannot write {save_to}: {exc.strerror or exc}") from None
        if store or activate:
            from annotations import suggesters

            try:
                suggesters.suggester_store(model=model, activate=activate)
            except (suggesters.ModelStored, learned.ModelError) as exc:
                raise CommandError(f"{exc}: nothing stored") from None
            except DatabaseError as exc:
                raise CommandError(f"the database failed while storing the model ({exc}); "
                                   f"{'it is saved in ' + save_to if save_to else 'give --save-to to keep it'}") from None
        meta = model.meta
        held = meta.get("heldout", {})
        self.stdout.write(
            f"{meta['version']}: {meta['counts']['fit_articles']} articles fitted, {held.get('articles', 0)} held out "
            f"(quote F1@0.5 {held.get('quote_f1@0.5', 0):.3f}, attribution F1@0.5 "
            f"{held.get('attribution_f1@0.5', 0):.3f}) in {meta['train_seconds']} s"
            + (f" -> {save_to} ({os.path.getsize(save_to) / 1e6:.1f} MB)" if save_to else "")
            + (" -> stored and active" if activate else " -> stored" if store else ""))
        stance = meta.get("stance")
        if stance:
            held = stance["heldout"]
            self.stdout.write(f"endorsements: {stance['counts']['articles']} articles, out-of-fold endorsement F1 "
                              f"{held['endorsement_f1']:.3f} over {held['articles']} ({stance['counts']['folds']} folds)")
        else:
            self.stdout.write("endorsements: too few articles with stances; the rules suggest them")


def _read(paths, key, split, warn):
    docs = []
    for path in paths:
        for n, doc in read_gold(path, split=split, warn=warn):
            if not isinstance(doc.get(key), list):
                raise ValueError(f"{path}: line {n}: no '{key}' list (not a gold file of {key}?)")
            docs.append(doc)
    return docs
