"""The learned quote suggester, trained on articles made up here (never on corpus text)."""

import json
import logging
import os
import random
import shutil
import subprocess
import sys
from io import StringIO

import numpy as np
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from annotations.suggest import ENGINE_VERSION, learned
from annotations.suggest.evaluate import evaluate_confidence

NAMES = ["Maria Lopez", "John Carter", "Amal Haddad", "Chen Wei", "Olga Petrova", "Sam Okafor", "Ines Duarte"]
CLAIMS = ["the bridge will reopen in May", "taxes must not rise this year", "the schools need more teachers",
          "the border plan has failed", "our budget is balanced again", "the vote was fair and open",
          "nobody will lose a job over this", "the clinics will stay open all winter"]
FILLER = ["The committee met on Tuesday to discuss the harbour.", "Rain delayed the parade for an hour.",
          "The report runs to forty pages.", "Tickets went on sale at noon."]


def made_up_article(rng: random.Random) -> dict:
    """A small article with direct and indirect quotes, and its gold annotations."""
    text, quotes = "", []

    def add(piece, content=None, speaker=None, cue=None):
        nonlocal text
        base = len(text)
        text += piece
        if content:
            s = base + piece.index(content)
            sp = base + piece.index(speaker)
            cu = base + piece.index(cue)
            quotes.append({"start": s, "end": s + len(content), "text": content, "spans": [[s, s + len(content)]],
                           "speaker": speaker, "speaker_start": sp, "speaker_end": sp + len(speaker),
                           "speaker_spans": [[sp, sp + len(speaker)]], "cue": cue, "cue_start": cu,
                           "cue_end": cu + len(cue), "kind": "direct" if content[0] == "“" else "indirect"})

    for k in range(rng.randint(4, 7)):
        if k:
            add("\n\n")
        who, claim = rng.choice(NAMES), rng.choice(CLAIMS)
        form = rng.randrange(4)
        if form == 0:
            content = f"“{claim[0].upper() + claim[1:]},”"
            add(f"{content} {who} said.", content, who, "said")
        elif form == 1:
            add(f"{who} said that {claim}.", f"that {claim}", who, "said")
        elif form == 2:
            add(f"{who} warned reporters that {claim}.", f"that {claim}", who, "warned")
        else:
            add(rng.choice(FILLER))
    return {"text": text, "quotes": quotes}


def gold_docs(n=14, seed=3):
    rng = random.Random(seed)
    return [{"id": f"a{i}", **made_up_article(rng)} for i in range(n)]


@pytest.fixture(scope="module")
def model():
    return learned.train(gold_docs(), sources=["made-up"], max_iterations=60)


@pytest.fixture
def gold_file(tmp_path):
    path = tmp_path / "gold.jsonl"
    path.write_text("".join(json.dumps(d) + "\n" for d in gold_docs()), encoding="utf-8")
    return path


def test_model_finds_quotes_and_speakers_in_unseen_made_up_text(model):
    text = "“The harbour will be rebuilt by spring,” Olga Petrova said.\n\nSam Okafor said that the plan was too slow."
    found = model.suggest(text)
    assert found.engine_version == model.version and model.version.startswith("crf-")
    spans = [(q.text, q.speaker.name if q.speaker else None) for q in found.quotes]
    assert ("“The harbour will be rebuilt by spring,”", "Olga Petrova") in spans
    assert ("that the plan was too slow", "Sam Okafor") in spans
    for q in found.quotes:
        assert text[q.start:q.end] == q.text and 0.0 <= q.confidence <= 1.0


def test_model_round_trips_through_a_file(model, tmp_path):
    path = tmp_path / "model.zip"
    model.save(path)
    again = learned.load(path)
    assert again.meta == {**model.meta, "format": learned.FORMAT, "crf_sha256": again.meta["crf_sha256"]}
    assert again.calibration == model.calibration
    text = "Chen Wei said that the clinics will stay open all winter."
    assert again.suggest(text) == model.suggest(text)
    meta = again.meta
    assert meta["sources"] == ["made-up"] and meta["counts"]["articles"] == 14
    assert {"version", "created", "heldout"} <= set(meta)


def test_spans_are_tagged_bilou_and_decoded_back():
    bio = ["O", "B-Q", "I-Q", "I-Q", "B-S", "O", "I-Q", "B-C", "I-C", "B-Q", "O", "I-Q", "I-Q"]
    bilou = learned._bilou(bio)
    # A quote's later fragment (after its speaker) opens with I-: still one quote.
    assert bilou == ["O", "B-Q", "I-Q", "L-Q", "U-S", "O", "L-Q", "B-C", "L-C", "U-Q", "O", "I-Q", "L-Q"]
    runs = {"Q": [(1, 4), (6, 7), (9, 10), (11, 13)], "S": [(4, 5)], "C": [(7, 9)]}
    assert learned._runs(bilou) == learned._runs(bio) == runs  # and a format-1 model's BIO the same
    toks = [(i, i + 1, w) for i, w in enumerate("x “ A b Ng , c said so d then e f".split())]
    # The fragment after the speaker continues the quote before it (its gap: a source and a
    # comma); the one after the cue opens with U-, a quote of its own; the last, after a word, too.
    assert learned._merge_quotes(runs["Q"], bilou, toks) == [(1, 7), (9, 10), (11, 13)]


def test_a_model_of_the_earlier_bio_format_still_suggests(tmp_path, monkeypatch):
    with monkeypatch.context() as m:
        m.setattr(learned, "_bilou", lambda tags: tags)  # how format-1 models were tagged
        old = learned.train(gold_docs(), max_iterations=60)
    assert not any(label[0] in "UL" for label in old.tagger().labels)
    old.meta["format"] = 1
    old.save(tmp_path / "old.zip")
    again = learned.load(tmp_path / "old.zip")
    assert again.meta["format"] == 1
    text = "“The harbour will be rebuilt by spring,” Olga Petrova said."
    assert [(q.text, q.speaker.name) for q in again.suggest(text).quotes] == [
        ("“The harbour will be rebuilt by spring,”", "Olga Petrova")]
    again.meta["format"] = 3  # a model from newer code: refused, not misread
    again.save(tmp_path / "new.zip")
    with pytest.raises(learned.ModelError, match="model format 3, this code reads formats 1, 2"):
        learned.load(tmp_path / "new.zip")


def test_word_templates_are_found_by_their_words_as_by_their_strings():
    # The rows of "pvn=" and the word-pair templates, found by word numbers (_ByWords), are those
    # of the strings the words make: a word may itself be "|", "^" or "$".
    index = {b"pvn=said": 1, b"pvn=none": 2, b"w-1|w=^|the": 3, b"w-1|w=|||": 4, b"w-1|w=a|b|c": 5,
             b"w|w+1=vote|$": 6, b"w|w+1=the|vote": 7, b"w=the": 8}
    by = learned._ByWords(index, unknown=99)
    n = by.number
    pairs = [("^", "the"), ("|", "|"), ("a", "b|c"), ("a|b", "c"), ("the", "vote"), ("b", "c"), ("new", "the")]
    first, second = (np.array([n(p[k]) for p in pairs]) for k in (0, 1))
    assert by.pair_rows(0, first, second).tolist() == [3, 4, 5, 5, 99, 99, 99]
    assert by.pair_rows(1, first, second).tolist() == [99, 99, 99, 99, 7, 99, 99]
    assert by.pair_rows(1, np.array([n("vote")]), np.array([n("$")])).tolist() == [6]
    assert by.after_verb[[n("said"), n("none"), n("the"), -1]].tolist() == [1, 2, 99, 99]
    empty = learned._ByWords({}, unknown=0)
    assert empty.pair_rows(0, np.array([-1, -1]), np.array([-1, 0])).tolist() == [0, 0]


def test_calibration_is_monotone():
    rng = random.Random(5)
    scores = [rng.random() for _ in range(300)]
    outcomes = [int(rng.random() < s) for s in scores]
    cal = learned.Calibration.fit(scores, outcomes)
    values = [cal(x / 100) for x in range(101)]
    assert all(a <= b for a, b in zip(values, values[1:]))
    assert 0.0 <= values[0] and values[-1] <= 1.0
    # Outcomes that fall as the score rises pool into one flat block, never a decreasing map.
    flat = learned.Calibration.fit([0.1, 0.5, 0.9], [1, 1, 0])
    assert flat(0.1) == flat(0.9) == pytest.approx(2 / 3)


def test_the_floor_is_the_best_f1_or_the_lowest_within_the_slack():
    from annotations.suggest.calibration import best_floor

    # Kept down to 0.9, 0.8, 0.7, 0.6 (two gold): F1 0.667, 0.5, 0.8, 0.667.
    confidences, outcomes = [0.9, 0.8, 0.7, 0.6], [1, 0, 1, 0]
    assert best_floor(confidences, outcomes, 2) == 0.7
    assert best_floor(confidences, outcomes, 2, slack=0.1) == 0.7
    assert best_floor(confidences, outcomes, 2, slack=0.2) == 0.6
    assert best_floor([], [], 2) == 0.0


def test_trained_calibration_is_monotone(model):
    values = [model.calibration(x / 50) for x in range(51)]
    assert all(a <= b for a, b in zip(values, values[1:]))


def test_confidence_report():
    gold = {"a": {"quotes": [{"start": 0, "end": 10}]}}
    pred = {"a": {"quotes": [{"start": 0, "end": 10, "confidence": 0.9}, {"start": 20, "end": 30, "confidence": 0.6}]}}
    report = evaluate_confidence(gold, pred)
    assert report["precision@conf>=0.9"] == {"n": 1, "precision": 1.0}
    assert report["precision@conf>=0.5"] == {"n": 2, "precision": 0.5}
    assert report["ece"] == pytest.approx((0.1 + 0.6) / 2)


def test_train_suggest_and_evaluate_commands_with_a_model_file(gold_file, tmp_path):
    model_path = tmp_path / "model.zip"
    out = StringIO()
    call_command("train_suggester", "--from", str(gold_file), "--save-to", str(model_path),
                 "--max-iterations", "60", stdout=out)
    assert "crf-" in out.getvalue() and model_path.exists()
    version = learned.load(model_path).version

    articles = tmp_path / "in.jsonl"
    articles.write_text(json.dumps({"id": "x", "text": "Ines Duarte said that the vote was fair and open."}) + "\n")
    result = tmp_path / "out.jsonl"
    call_command("suggest_file", str(articles), str(result), "--model", str(model_path), stdout=StringIO())
    [record] = [json.loads(line) for line in result.read_text().splitlines()]
    assert record["engine_version"] == version
    assert [q["speaker"] for q in record["quotes"]] == ["Ines Duarte"]

    out = StringIO()
    call_command("evaluate_suggestions", str(gold_file), "--model", str(model_path), stdout=out)
    text = out.getvalue()
    assert f"engine_version: {version}" in text
    assert "precision@conf>=0.7" in text and "calibration error (ECE)" in text
    scores = json.loads(text.strip().splitlines()[-1])
    assert scores["engine_version"] == version
    assert scores["quotes"]["quote@0.5"]["f1"] > 0.8  # its own training data: a sanity check only


@pytest.mark.parametrize("content", [b"", b"not a model at all", None])
def test_a_corrupt_or_missing_model_is_a_clear_command_error(content, gold_file, tmp_path):
    path = tmp_path / "model.zip"
    if content is not None:
        path.write_bytes(content)
    for command, args in (("suggest_file", [str(gold_file), str(tmp_path / "o.jsonl")]),
                          ("evaluate_suggestions", [str(gold_file)])):
        with pytest.raises(CommandError, match="model"):
            call_command(command, *args, "--model", str(path), stdout=StringIO())


def damaged_copy(model, tmp_path, member: str):
    """The model's file with one member cut in half, as a broken disk or upload would leave it."""
    import zipfile

    path, damaged = tmp_path / "model.zip", tmp_path / "damaged.zip"
    model.save(path)
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(damaged, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            dst.writestr(item, data[: len(data) // 2] if item.filename == member else data)
    return damaged


def test_a_damaged_crf_inside_the_file_is_caught(model, tmp_path):
    with pytest.raises(learned.ModelError, match="checksum"):
        learned.load(damaged_copy(model, tmp_path, "model.crfsuite"))


@pytest.mark.parametrize("change, reason", [
    (lambda m: m.pop("version"), "no version"),
    (lambda m: m.update(min_confidence="high"), "min_confidence is not a number"),
    (lambda m: m.update(stance={"min_confidence": None}), "stance.min_confidence is not a number"),
])
def test_bad_metadata_is_caught_when_the_model_is_read(model, tmp_path, change, reason):
    # Read only when suggesting, it failed every article (KeyError, TypeError) instead.
    import zipfile

    path, bad = tmp_path / "model.zip", tmp_path / "bad.zip"
    model.save(path)
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(bad, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "meta.json":
                meta = json.loads(data)
                change(meta)
                data = json.dumps(meta).encode()
            dst.writestr(item, data)
    with pytest.raises(learned.ModelError, match=reason):
        learned.load(bad)


def test_the_library_falls_back_to_the_rules_with_a_warning(tmp_path, caplog):
    path = tmp_path / "model.zip"
    path.write_bytes(b"PK\x03\x04 truncated")
    text = "“We will rebuild the bridge,” Maria Lopez said on Monday."
    with caplog.at_level(logging.WARNING, logger="annotations.suggest.learned"):
        suggest_fn = learned.suggester(path)
    assert suggest_fn(text).engine_version == ENGINE_VERSION
    assert "falling back to the rules" in caplog.text
    assert learned.suggester(tmp_path / "missing.zip")(text).engine_version == ENGINE_VERSION
    assert learned.suggester(None)(text).engine_version == ENGINE_VERSION


def test_train_command_refuses_a_file_without_quotes(tmp_path):
    path = tmp_path / "plain.jsonl"
    path.write_text(json.dumps({"id": 1, "text": "Just text."}) + "\n")
    with pytest.raises(CommandError, match="no 'quotes'"):
        call_command("train_suggester", "--from", str(path), "--save-to", str(tmp_path / "m.zip"))


def test_train_refuses_gold_whose_articles_hold_no_quotes(tmp_path):
    """A model that learned only 'no quote here' would, activated, suggest nothing anywhere."""
    path = tmp_path / "empty.jsonl"
    path.write_text("".join(json.dumps({**d, "quotes": []}) + "\n" for d in gold_docs(5)), encoding="utf-8")
    with pytest.raises(CommandError, match=r"the 4 articles to fit hold no quotes \(and no stances to learn from\).*"
                                           r"\(read: 5 in .*empty.jsonl\)"):
        call_command("train_suggester", "--from", str(path), "--save-to", str(tmp_path / "m.zip"))
    assert not (tmp_path / "m.zip").exists()
    with pytest.raises(ValueError, match="hold no quotes"):
        learned.train([{**d, "quotes": []} for d in gold_docs(5)])


def test_gold_articles_with_unusable_offsets_are_named_and_left_out(tmp_path):
    docs = gold_docs(6)
    text = docs[0]["text"]
    docs[1]["quotes"][0] = {**docs[1]["quotes"][0], "start": 5000, "end": 5050}
    docs[2]["quotes"][0] = {**docs[2]["quotes"][0], "speaker_start": 9, "speaker_end": 3}
    docs[3]["quotes"][0] = {"start": 0, "end": 4, "text": "WXYZ"}
    docs[4]["stances"] = [{"subject": "Ann Bo", "object": "Cy Dee", "polarity": "meh"}]
    path = tmp_path / "gold.jsonl"
    path.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    out, err = StringIO(), StringIO()
    call_command("train_suggester", "--from", str(path), "--save-to", str(tmp_path / "m.zip"),
                 "--max-iterations", "20", stdout=out, stderr=err)
    assert err.getvalue().splitlines() == [
        f"{path}: line 2: quotes[0]: offsets 5000-5050 are not inside the text (length {len(docs[1]['text'])}); "
        "article left out",
        f"{path}: line 3: quotes[0]: speaker offsets 9-3 are not inside the text (length {len(docs[2]['text'])}); "
        "article left out",
        f"{path}: line 4: quotes[0]: its text 'WXYZ' is not the text at 0-4 ({docs[3]['text'][:4]!r}); "
        "article left out",
        f"{path}: line 5: stances[0]: polarity 'meh' is none of positive, negative; article left out"]
    assert "1 articles fitted" in out.getvalue()  # of the two left: one fitted, one held out
    err = StringIO()
    call_command("evaluate_suggestions", str(path), "--rules", stdout=StringIO(), stderr=err)
    assert len(err.getvalue().splitlines()) == 4 and text  # the same four, left out of the scores


@pytest.mark.parametrize("change, reason", [
    ({"quotes": "not a list"}, "quotes: expected a list, not str"),
    ({"stances": "x"}, "stances: expected a list, not str"),
    ({"stances": [None]}, "stances[0]: expected an object, not null"),
    ({"stances": [{"subject": 5, "object": "Cy Dee", "polarity": "positive"}]}, "stances[0]: subject '5' is not a name (a string)"),
])
def test_a_gold_article_of_the_wrong_shape_is_named_and_left_out(tmp_path, change, reason):
    docs = gold_docs(4)
    docs[1] = {**docs[1], **change}
    path = tmp_path / "gold.jsonl"
    path.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    err = StringIO()
    call_command("evaluate_suggestions", str(path), "--rules", stdout=StringIO(), stderr=err)
    assert err.getvalue().splitlines() == [f"{path}: line 2: {reason}; article left out"]


def test_gold_files_may_start_with_a_byte_order_mark_and_bytes_that_are_not_text_are_named(tmp_path, gold_file):
    marked = tmp_path / "bom.jsonl"
    marked.write_bytes(b"\xef\xbb\xbf" + gold_file.read_bytes())
    out = StringIO()
    call_command("evaluate_suggestions", str(marked), "--rules", stdout=out)
    assert "quotes: 14 articles" in out.getvalue()
    binary = tmp_path / "binary.jsonl"
    binary.write_bytes(gold_file.read_bytes().split(b"\n")[0] + b"\n\x00\xff\xfe garbage\n")
    with pytest.raises(CommandError, match=r"binary.jsonl: line 2: not UTF-8 text \(byte 2 of the line\)"):
        call_command("evaluate_suggestions", str(binary), "--rules", stdout=StringIO())


def test_train_command_says_what_it_found_and_checks_the_folder_first(tmp_path):
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps(gold_docs(1)[0]) + "\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"need at least 2 gold articles .*; found 1 in .*gold.jsonl with split 'x'"):
        call_command("train_suggester", "--from", str(path), "--split", "x", "--save-to", str(tmp_path / "m.zip"))
    with pytest.raises(CommandError, match="its folder does not exist"):
        call_command("train_suggester", "--from", str(path), "--save-to", str(tmp_path / "no" / "m.zip"))
    for option in (["--max-articles", "-25"], ["--max-iterations", "0"]):
        with pytest.raises(CommandError, match="--max-articles must be 0"):
            call_command("train_suggester", "--from", str(path), "--save-to", str(tmp_path / "m.zip"), *option)
    with pytest.raises(CommandError, match="--model or --rules, not both"):
        call_command("suggest_file", str(path), str(tmp_path / "o.jsonl"), "--model", "m.zip", "--rules")
    with pytest.raises(CommandError, match="one of --pred, --model and --rules"):
        call_command("evaluate_suggestions", str(path), "--model", "m.zip", "--rules")
    with pytest.raises(CommandError, match="it is a folder"):  # before training, not after
        call_command("train_suggester", "--from", str(path), "--save-to", str(tmp_path))
    two = tmp_path / "two.jsonl"
    two.write_text("".join(json.dumps(d) + "\n" for d in gold_docs(30)), encoding="utf-8")
    with pytest.raises(CommandError, match=r"found 30 in .*two.jsonl and --max-articles 1 keeps 1"):
        call_command("train_suggester", "--from", str(two), "--max-articles", "1", "--save-to", str(tmp_path / "m.zip"))


def test_train_command_says_an_unreachable_database_before_training(tmp_path, gold_file):
    """--store, --activate and --from-db need the database: said at once, not after minutes of training."""
    env = {**os.environ, "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none", "SECRET_KEY": "x"}
    for option in ("--store", "--activate", "--from-db"):
        done = subprocess.run([sys.executable, "manage.py", "train_suggester", "--from", str(gold_file), option,
                               "--save-to", str(tmp_path / "m.zip")],
                              cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 1
        assert "cannot reach the database" in done.stderr and "Traceback" not in done.stderr, done.stderr
        assert not (tmp_path / "m.zip").exists()


def test_suggest_file_never_loses_a_file(tmp_path, gold_file):
    """The output is written aside and moved into place: an input that fails half way leaves an
    earlier output whole, a missing input makes no file, and the input is never the output."""
    out = tmp_path / "out.jsonl"
    out.write_text("earlier results\n")
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"id": 1, "text": "Ann Bo said that taxes rise."}) + "\n{not json\n")
    with pytest.raises(CommandError, match="line 2: not valid JSON"):
        call_command("suggest_file", str(bad), str(out), "--rules", stdout=StringIO())
    assert out.read_text() == "earlier results\n"
    with pytest.raises(CommandError, match="No such file"):
        call_command("suggest_file", str(tmp_path / "missing.jsonl"), str(tmp_path / "new.jsonl"), "--rules")
    assert not (tmp_path / "new.jsonl").exists()
    before = gold_file.read_bytes()
    with pytest.raises(CommandError, match="is the input file"):
        call_command("suggest_file", str(gold_file), str(gold_file), "--rules")
    assert gold_file.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.jsonl", "gold.jsonl", "out.jsonl"]  # no leftovers


def test_evaluate_names_a_bad_predictions_line(tmp_path, gold_file):
    pred = tmp_path / "pred.jsonl"
    good = {"id": "a0", "quotes": [{"start": 0, "end": 9, "speaker": "Ann Bo", "confidence": 0.5}],
            "endorsements": [{"endorser": "Ann Bo", "target": "Cy Dee", "polarity": "supports", "confidence": 0.5}]}
    quote, endorsement = good["quotes"][0], good["endorsements"][0]
    for content, reason in (
            ('{"id": 1}\n{"quotes": []\n', "line 2: not valid JSON"),
            ('{"quotes": []}\n', "line 1: expected an object with an 'id'"),
            ('{"id": "nope"}\n', "no prediction in .* has the id of an article"),
            ({**good, "quotes": None}, "line 2: quotes: expected a list, not null"),
            ({**good, "quotes": [{**quote, "start": "x"}]}, r"line 2: quotes\[0\]: start and end must be whole numbers"),
            ({**good, "quotes": [{k: v for k, v in quote.items() if k != "end"}]}, r"quotes\[0\]: start and end"),
            ({**good, "quotes": [{**quote, "confidence": "high"}]}, r"quotes\[0\]: confidence 'high' is not a number"),
            ({**good, "endorsements": [{**endorsement, "target": 3}]}, r"endorsements\[0\]: target '3' is not a name"),
            ({**good, "endorsements": [{**endorsement, "polarity": "likes"}]}, r"endorsements\[0\]: polarity 'likes'")):
        lines = content if isinstance(content, str) else json.dumps(good) + "\n" + json.dumps(content) + "\n"
        pred.write_text(lines)
        with pytest.raises(CommandError, match=reason):
            call_command("evaluate_suggestions", str(gold_file), "--pred", str(pred), stdout=StringIO())
    pred.write_text(json.dumps(good) + "\n")
    err = StringIO()
    call_command("evaluate_suggestions", str(gold_file), "--pred", str(pred), stdout=StringIO(), stderr=err)
    assert "has predictions for 1 of the 14 gold articles: the other 13 are scored as suggesting nothing" \
        in err.getvalue()



def test_bench_learned_skips_without_gold_files(tmp_path):
    out = StringIO()
    call_command("bench_learned", "--train", str(tmp_path / "nope.jsonl"), "--dev", str(tmp_path / "nope2.jsonl"),
                 stdout=out)
    assert out.getvalue().startswith("skipped: gold file(s) not found")


def test_bench_engine_times_a_model_file(model, gold_file, tmp_path):
    path = tmp_path / "model.zip"
    model.save(path)
    out = StringIO()
    call_command("bench_engine", "--data", str(gold_file), "--repeat", "1", "--model", str(path), stdout=out)
    result = json.loads(out.getvalue().strip().splitlines()[-1])
    m = result["model"]
    assert m["version"] == model.version and m["articles_per_cpu_s"] > 0 and m["rules_articles_per_cpu_s"] > 0
    # The ratio is of the two speeds it is printed with (both rounded).
    assert m["time_to_rules_ratio"] == pytest.approx(m["rules_articles_per_cpu_s"] / m["articles_per_cpu_s"], rel=0.1)
    assert f"model {model.version}:" in out.getvalue() and "x the rules' time, article by article" in out.getvalue()


def test_bench_engine_instructions_need_a_model(gold_file):
    with pytest.raises(CommandError, match="--instructions needs --model FILE"):
        call_command("bench_engine", "--data", str(gold_file), "--repeat", "1", "--instructions", stdout=StringIO())


@pytest.mark.skipif(not shutil.which("valgrind"), reason="valgrind is not installed (apt-get install valgrind)")
def test_bench_engine_counts_instructions_of_the_rules_and_the_model(model, gold_file, tmp_path):
    path = tmp_path / "model.zip"
    model.save(path)
    out = StringIO()
    call_command("bench_engine", "--data", str(gold_file), "--repeat", "1", "--model", str(path), "--instructions",
                 stdout=out)
    n = json.loads(out.getvalue().strip().splitlines()[-1])["instructions"]
    # Start-up is subtracted: what is left is the passes, and the model runs the rules and more.
    assert 0 < n["rules"] < n["model"]
    assert n["model_to_rules_ratio"] == round(n["model"] / n["rules"], 2)
    assert f"rules {n['rules']:,}, model {n['model']:,}" in out.getvalue()


def test_a_surname_speaker_is_the_person_the_article_named_in_full(model):
    text = ("Sam Okafor met the committee on Tuesday.\n\n"
            "Okafor said that the clinics will stay open all winter.")
    [quote] = [q for q in model.suggest(text).quotes if "clinics" in q.text]
    assert quote.speaker.name == "Sam Okafor" and quote.speaker.aliases == ("Okafor",)
    assert text[quote.speaker_start:quote.speaker_end] == "Okafor"  # the mention stays where it is


@pytest.mark.parametrize("text, full", [
    ("Later Sam Okafor spoke. Okafor said so, and later left.", "Sam Okafor"),  # "Later" opens a sentence
    ("Sen. Sam Okafor spoke. Okafor said so.", "Sam Okafor"),                   # the title goes
    ("It was said by Smith. Okafor said so.", None),                            # another sentence's name
    ("Sen. Okafor spoke. Okafor said so.", None),                               # a title is no first name
    ("Okafors met. Sam Okafor spoke.\n\nOkafor said so.", "Sam Okafor"),          # a longer word is not the name
])
def test_full_names_of_surnames(text, full):
    from annotations.suggest.types import Speaker

    found = learned._in_full(Speaker(name="Okafor"), text)
    assert found.name == (full or "Okafor") and (not full or found.aliases == ("Okafor",))


@pytest.mark.parametrize("span, name", [
    ("Andrew McCabe,", "Andrew McCabe"),
    ("Rep. Matt Gaetz of Florida –", "Rep. Matt Gaetz of Florida"),
    ("Mr. Burman (", "Mr. Burman"),
    ("Speaker Nancy Pelosi (D-Calif.)", "Speaker Nancy Pelosi (D-Calif.)"),
])
def test_a_tagged_source_names_its_speaker_without_trailing_punctuation(span, name):
    assert learned._speaker(span, 0, len(span), {}).name == name


def test_the_model_tags_as_crfsuite_does_on_the_same_features(model, monkeypatch, crf_compiled):
    """Suggesting sums word features from a per-word cache and tags with numpy or C; crfsuite,
    given every feature string, must find the same labels and marginals. A tiny cache bound
    makes the cache clear between articles."""
    import pycrfsuite

    from annotations.suggest import engine

    monkeypatch.setattr(learned._Scorer, "LIMIT", 20)
    fresh = learned.Model.from_bytes(model.to_bytes())
    tagger = pycrfsuite.Tagger()
    tagger.open_inmemory(model.crf)
    unseen = ["“Rates will fall,” Ines Duarte told the Herald on Monday.\n\nShe said prices were too high.",
              "Nothing was said.", "Chen Wei said that “the harbour,” which he loves, “will stay”."]
    words = set()
    for doc in gold_docs(4, seed=11) + [{"text": t} for t in unseen]:
        paras = learned._paragraphs(doc["text"], engine.suggest(doc["text"]))
        words |= {w for p in paras for _, _, w in p.tokens}
        crf = fresh.tagger()
        crf.compiled = crf_compiled
        scores = fresh._scorer(paras)
        for para, got, (labels, marginals) in zip(paras, scores, crf.tag(scores)):
            expected = crf.state[[crf.rows(token) for token in para.features]].sum(axis=1)
            assert np.allclose(got, expected, rtol=0, atol=1e-9)
            tagger.set(para.features)
            assert labels == tagger.tag()
            assert np.allclose(marginals, [tagger.marginal(y, t) for t, y in enumerate(labels)], rtol=0, atol=1e-9)
    assert len(fresh._scorer.ids) < len(words)  # cleared on the way


# Speech verbs before and after, in and out of quotation marks, with "that", commas and colons
# between, a paragraph of one token, a sentence of one word, a quotation left open.
SENTENCES = (
    "Lopez said: “We will not back down,” and Carter told reporters that the vote, held Monday, "
    "was “a disgrace.” Haddad, who said nothing, wrote that he agreed.\n\nYes.\n\n"
    "“It is over,” said Petrova. Wei added: “Not yet. We said so.” Okafor insisted, warning that the "
    "plan would fail, that the schools need teachers. No.\n\n“And it goes on")


@pytest.mark.compiled
def test_the_compiled_and_python_sentence_codes_are_the_same():
    """_crf.sentence_codes makes the codes _sentence_rows makes, on every kind of sentence."""
    from annotations.suggest import crf as crf_module
    from annotations.suggest import engine

    if crf_module.COMPILED is None:
        pytest.skip("annotations/suggest/_crf.c was not built (no C compiler at install)")
    texts = [SENTENCES] + [doc["text"] for doc in gold_docs(8, seed=9)]
    for text in texts:
        rules = engine.suggest(text)
        plain, compiled = learned._paragraphs(text, rules), learned._paragraphs(text, rules, crf_module.COMPILED)
        assert len(plain) == len(compiled) > 1
        for a, b in zip(plain, compiled):
            assert np.array_equal(a.codes, b.codes) and np.array_equal(a.after_verb, b.after_verb)
    first = learned._paragraphs(SENTENCES, engine.suggest(SENTENCES))[0]
    said = [t[2] for t in first.tokens].index("said")
    # "said: “We": the codes say something (a speech verb before ":") and the tokens past the
    # colon know the word after the verb is the colon.
    assert first.after_verb[said + 3] == said + 1 and first.codes[list(learned.CODED).index("pv"), said + 1] > 0


@pytest.mark.compiled
def test_the_compiled_sentence_codes_refuse_sentences_outside_their_paragraph():
    from annotations.suggest import crf as crf_module

    if crf_module.COMPILED is None:
        pytest.skip("annotations/suggest/_crf.c was not built (no C compiler at install)")
    ints = learned._ints
    n = 4
    table = ints(list(range(32)))
    args = dict(verb=ints([-1] * n), qi=ints([0] * n), kind=ints([0] * n))
    for bounds, paras, reason in (([[0, 5]], [[0, 4, 0, 1, 0]], "sentence out of its paragraph"),
                                  ([[0, 4]], [[0, 4, 0, 2, 0]], "paragraph out of range"),
                                  ([[2, 2]], [[0, 4, 0, 1, 0]], "sentence out of its paragraph")):
        out = np.empty((len(learned.SENTENCE_ROWS), n), dtype=np.intp)
        with pytest.raises(ValueError, match=reason):
            crf_module.COMPILED.sentence_codes(*args.values(), np.array(bounds, dtype=np.intp),
                                               np.array(paras, dtype=np.intp), table, table, ints([11, 12, 9, 1]), out)
    with pytest.raises(ValueError, match="verb number below -1"):
        crf_module.COMPILED.sentence_codes(ints([-2] * n), *list(args.values())[1:], np.array([[0, 4]], dtype=np.intp),
                                           np.array([[0, 4, 0, 1, 0]], dtype=np.intp), table, table,
                                           ints([11, 12, 9, 1]), np.empty((8, n), dtype=np.intp))


@pytest.mark.compiled
def test_the_compiled_and_numpy_scores_are_the_same_sums(model):
    """_crf.state_scores adds the same rows in the same order as numpy: equal to the bit."""
    from annotations.suggest import crf as crf_module
    from annotations.suggest import engine

    if crf_module._crf is None:
        pytest.skip("annotations/suggest/_crf.c was not built (no C compiler at install)")
    fresh = learned.Model.from_bytes(model.to_bytes())
    for doc in gold_docs(6, seed=5):
        paras = learned._paragraphs(doc["text"], engine.suggest(doc["text"]))
        fresh.tagger().compiled = True
        compiled = fresh._scorer(paras)
        fresh.tagger().compiled = False
        plain = fresh._scorer(paras)
        assert len(compiled) == len(plain) == len(paras)
        assert all(np.array_equal(a, b) for a, b in zip(compiled, plain))
