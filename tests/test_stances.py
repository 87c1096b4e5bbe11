"""The learned endorsement classifier, trained on articles made up here (never on corpus text),
and the editors' decisions as training data."""

import json
import random
from io import StringIO

import pytest
from django.core.management import call_command

from annotations import services
from annotations.models import Article, Endorsement, Quote, Status
from annotations.suggest import learned, stances, suggest
from annotations.suggest.evaluate import evaluate_endorsements
from tests.test_learned import damaged_copy, gold_docs

PEOPLE = ["Maria Lopez", "John Carter", "Amal Haddad", "Chen Wei", "Olga Petrova", "Sam Okafor", "Ines Duarte",
          "Tom Baker", "Rosa Klein", "Yusuf Demir"]
# Newsroom phrasing the rule engine's word lists do not have: what the model learns, not knows.
SUPPORTS = ["{a} vouched for {b} on Monday.", "{a} stood shoulder to shoulder with {b} on the harbour plan.",
            "{a} tipped a hat to {b} for the help with the clinics.", "{a} went to bat for {b} in the council."]
OPPOSES = ["{a} took aim at {b} over the budget.", "{a} tore into {b} for the delay.",
           "{a} laid into {b} about the bridge.", "{a} went after {b} in the council."]
NEUTRAL = ["{a} and {b} met in the town hall on Tuesday.", "{a} sat next to {b} at the dinner.",
           "{a} flew to the capital with {b}."]
FILLER = ["Rain delayed the parade for an hour.", "The report runs to forty pages.", "Tickets went on sale at noon."]


def stance_article(rng: random.Random) -> dict:
    """An article where people support, oppose or just meet each other, with its gold stances."""
    cast = rng.sample(PEOPLE, 4)
    sentences, gold = [], []
    for k in range(rng.randint(4, 6)):
        a, b = rng.sample(cast, 2)
        kind = rng.choice(["supports", "opposes", "neutral", "filler"])
        # Later mentions use the surname, as newspapers do.
        short = {p: p.split()[-1] if any(p in s for s in sentences) else p for p in (a, b)}
        if kind == "filler":
            sentences.append(rng.choice(FILLER))
            continue
        template = rng.choice({"supports": SUPPORTS, "opposes": OPPOSES, "neutral": NEUTRAL}[kind])
        sentences.append(template.format(a=short[a], b=short[b]))
        if kind != "neutral":
            gold.append({"subject": a, "object": b, "polarity": "positive" if kind == "supports" else "negative"})
    return {"text": "\n\n".join(sentences), "stances": gold}


def stance_docs(n, seed):
    rng = random.Random(seed)
    return [{"id": f"s{i}", **stance_article(rng)} for i in range(n)]


@pytest.fixture(scope="module")
def model():
    return learned.train(gold_docs(8), endorsements=stance_docs(60, seed=4), sources=["made-up"],
                         max_iterations=40)


def test_a_models_version_tells_apart_models_with_and_without_an_endorsement_classifier():
    """The same quote tagger with and without a classifier suggests differently: two versions."""
    quotes_only = learned.train(gold_docs(8), max_iterations=20)
    both = learned.train(gold_docs(8), endorsements=stance_docs(30, seed=4), max_iterations=20)
    assert quotes_only.crf == both.crf and both.stance is not None
    assert quotes_only.version.rsplit("-", 1)[1] != both.version.rsplit("-", 1)[1]


def test_the_model_learns_who_supports_and_opposes_whom(model):
    # Every article teaches, those without a stance too: each pair they name is none.
    assert model.stance is not None and model.meta["stance"]["counts"]["articles"] == 60
    assert any(not d["stances"] for d in stance_docs(60, seed=4))
    test = {d["id"]: d for d in stance_docs(30, seed=99)}  # unseen articles
    pred = {i: {"endorsements": [{"endorser": e.endorser.name, "target": e.target.name, "polarity": e.polarity}
                                 for e in model.suggest(d["text"]).endorsements]} for i, d in test.items()}
    scores = evaluate_endorsements(test, pred)
    assert scores["endorsement"]["precision"] >= 0.8 and scores["endorsement"]["recall"] >= 0.6, scores
    # The rules alone find little of this phrasing: the learned part is doing the work.
    from annotations.suggest.jsonl import suggestion_record
    rules = evaluate_endorsements(test, {i: suggestion_record(i, d["text"]) for i, d in test.items()})
    assert scores["endorsement"]["f1"] > rules["endorsement"]["f1"] + 0.2


def test_an_endorsement_names_both_parties_with_its_evidence_and_confidence(model):
    text = "Olga Petrova vouched for Tom Baker on Monday.\n\nRain delayed the parade for an hour."
    found = model.suggest(text).endorsements
    best = found[0]
    assert (best.endorser.name, best.polarity, best.target.name) == ("Olga Petrova", "supports", "Tom Baker")
    assert text[best.start:best.end] == best.text == "Olga Petrova vouched for Tom Baker on Monday."
    assert 0 < best.confidence <= 1
    assert all(e.confidence >= model.meta["stance"]["min_confidence"] for e in found)


def test_one_party_can_back_and_attack_another_each_with_its_own_evidence(model):
    backs = "Olga Petrova vouched for Tom Baker on Monday."
    attacks = "Petrova tore into Baker for the delay."
    text = f"{backs}\n\nRain delayed the parade for an hour.\n\n{attacks}"
    # Each polarity of the pair is scored; the evidence is the sentence whose words the
    # classifier weighs most for it (neither phrase is in the rules' word lists).
    ranked = stances.scored(stances.candidates(text), model.stance_classifier())
    pair = {pol: raw for raw, pol, c in ranked if (c.a.key, c.b.key) == ("Olga Petrova", "Tom Baker")}
    assert pair["opposes"] > 0.2 and pair["supports"] > 0.2
    [c] = {id(c): c for _, _, c in ranked if (c.a.key, c.b.key) == ("Olga Petrova", "Tom Baker")}.values()
    classifier = model.stance_classifier()
    assert text[slice(*classifier.evidence(c, "supports"))] == backs
    assert text[slice(*classifier.evidence(c, "opposes"))] == attacks
    found = {(e.endorser.name, e.polarity, e.target.name): e.text for e in model.suggest(text).endorsements}
    assert found[("Olga Petrova", "opposes", "Tom Baker")] == attacks


# Stances towards a topic rather than a person: what the article keeps coming back to.
TOPIC_FOR = ["{a} went to bat for the {t} in the council.", "{a} stood shoulder to shoulder with the {t} backers."]
TOPIC_AGAINST = ["{a} took aim at the {t} again.", "{a} tore into the {t} at the hearing."]
TOPIC_NEUTRAL = ["The {t} was debated for hours.", "A vote on the {t} is due in spring."]
TOPICS = ["levy", "tunnel", "curfew", "stadium", "ferry"]


def topic_docs(n, seed):
    rng = random.Random(seed)
    docs = []
    for i in range(n):
        a, b = rng.sample(PEOPLE, 2)
        topic = rng.choice(TOPICS)
        pol = rng.choice(["positive", "negative"])
        stance = rng.choice(TOPIC_FOR if pol == "positive" else TOPIC_AGAINST).format(a=a, t=topic)
        sentences = [rng.choice(TOPIC_NEUTRAL).format(t=topic), stance, rng.choice(NEUTRAL).format(a=a, b=b),
                     rng.choice(TOPIC_NEUTRAL).format(t=topic)]
        docs.append({"id": f"t{i}", "text": "\n\n".join(sentences),
                     "stances": [{"subject": a, "object": f"the {topic}", "polarity": pol}]})
    return docs


def test_a_party_can_back_or_attack_a_topic_the_article_keeps_naming():
    model = learned.train(gold_docs(8), endorsements=stance_docs(30, seed=5) + topic_docs(40, seed=6),
                          max_iterations=40)
    test = {d["id"]: d for d in topic_docs(20, seed=98)}  # unseen articles
    pred = {i: {"endorsements": [{"endorser": e.endorser.name, "target": e.target_text, "polarity": e.polarity}
                                 for e in model.suggest(d["text"]).endorsements]} for i, d in test.items()}
    scores = evaluate_endorsements(test, pred)
    assert scores["endorsement"]["recall"] >= 0.8 and scores["endorsement"]["precision"] >= 0.5, scores
    text = ("The curfew was debated for hours.\n\nChen Wei took aim at the curfew again.\n\n"
            "A vote on the curfew is due in spring.")
    [best, *_] = model.suggest(text).endorsements
    # A topic is no party: no entity, the word itself as the target.
    assert (best.endorser.name, best.polarity, best.target, best.target_text) == (
        "Chen Wei", "opposes", None, "curfew")
    assert best.text == "Chen Wei took aim at the curfew again."


def test_surnames_and_pronouns_are_the_person_named_in_full():
    text = "Rosa Klein spoke first. Klein said the plan was sound.\n\nShe later praised Yusuf Demir."
    found = stances.mentions(text)
    assert [(text[m.start:m.end], m.party.key) for m in found] == [
        ("Rosa Klein", "Rosa Klein"), ("Klein", "Rosa Klein"), ("She", "Rosa Klein"), ("Yusuf Demir", "Yusuf Demir")]
    assert [m.party.key for m in stances.mentions("The GOP and Republicans met.")] == [
        "Republican Party", "Republican Party"]


def test_an_abbreviation_is_the_party_it_stands_for_under_its_full_name():
    text = "The U.S. and the United States Senate differ. The NRA backed the bill; Obamacare stays."
    found = [(m.party.key, m.party.kind) for m in stances.mentions(text)]
    assert found == [("United States", "other"), ("United States Senate", "group"),
                     ("National Rifle Association", "group"), ("Affordable Care Act", "other")]


def test_a_first_name_alone_is_the_one_person_named_in_full_with_it():
    text = "Maria Lopez praised John Carter.\n\n“John has done the right thing,” Lopez said."
    assert [(text[m.start:m.end], m.party.key) for m in stances.mentions(text)] == [
        ("Maria Lopez", "Maria Lopez"), ("John Carter", "John Carter"), ("John", "John Carter"),
        ("Lopez", "Maria Lopez")]
    # Two Johns: a lone "John" is neither.
    shared = "John Carter met John Smith.\n\nJohn said no."
    assert "john" not in stances.full_names(shared) and stances.full_names(shared)["smith"] == "John Smith"


def test_the_stance_classifier_round_trips_and_a_damaged_one_is_refused(model, tmp_path):
    path = tmp_path / "model.zip"
    model.save(path)
    again = learned.load(path)
    text = "Sam Okafor tore into Ines Duarte for the delay."
    assert again.suggest(text) == model.suggest(text)
    assert again.stance_calibration == model.stance_calibration
    with pytest.raises(learned.ModelError, match="endorsement classifier"):
        learned.load(damaged_copy(model, tmp_path, "stance.crfsuite"))


def test_the_classifier_gives_crfsuites_own_probabilities(model):
    """The classifier sums the weights it read out of the crfsuite bytes; crfsuite, tagging each
    pair as a one-item sequence, must give the same probabilities."""
    import pycrfsuite

    classifier = model.stance_classifier()
    tagger = pycrfsuite.Tagger()
    tagger.open_inmemory(model.stance)
    checked = 0
    for doc in stance_docs(6, seed=21):
        cands = stances.candidates(doc["text"])
        for cand, found in zip(cands, classifier.probabilities(cands), strict=True):
            tagger.set(pycrfsuite.ItemSequence([cand.features]))  # as training hands it to crfsuite
            tagger.tag()
            expected = [tagger.marginal(label, 0) if label in tagger.labels() else 0.0
                        for label in ("supports", "opposes")]
            assert found == pytest.approx(expected, abs=1e-9)
            checked += 1
    assert checked > 20


def test_without_articles_with_stances_the_rules_suggest_endorsements():
    quotes_only = learned.train(gold_docs(8), max_iterations=20)
    assert quotes_only.stance is None and "stance" not in quotes_only.meta
    text = "Maria Lopez endorsed John Carter on Monday."
    from annotations.suggest import engine
    assert quotes_only.suggest(text).endorsements == engine.suggest(text).endorsements


def test_articles_annotated_with_no_stances_alone_train_no_classifier():
    # Done articles of a newsroom that marks only quotes: "stances" lists, all empty.
    none_marked = [{**d, "stances": []} for d in stance_docs(20, seed=3)]
    model = learned.train(gold_docs(8), endorsements=none_marked, max_iterations=20)
    assert model.stance is None and "stance" not in model.meta
    # Four with stances are enough; then the empty ones are negatives beside them.
    four = [d for d in stance_docs(20, seed=3) if d["stances"]][:4]
    model = learned.train(gold_docs(8), endorsements=none_marked + four, max_iterations=20)
    assert model.stance is not None and model.meta["stance"]["counts"]["articles"] == 24


def test_train_command_takes_endorsement_files_and_a_split(tmp_path):
    quotes = tmp_path / "quotes.jsonl"
    quotes.write_text("".join(json.dumps(d) + "\n" for d in gold_docs(8)))
    ends = tmp_path / "stances.jsonl"
    docs = [{**d, "split": "train" if k < 40 else "valid"} for k, d in enumerate(stance_docs(50, seed=5))]
    ends.write_text("".join(json.dumps(d) + "\n" for d in docs))
    out = StringIO()
    model_path = tmp_path / "m.zip"
    call_command("train_suggester", "--from", str(quotes), "--endorsements", str(ends), "--split", "train",
                 "--save-to", str(model_path), "--max-iterations", "30", stdout=out)
    n = 40  # with those that have no stance: annotated, they say their pairs are none
    assert f"endorsements: {n} articles, out-of-fold endorsement F1" in out.getvalue()
    assert f"over {n} (4 folds)" in out.getvalue()
    out = StringIO()
    call_command("evaluate_suggestions", str(ends), "--split", "valid", "--model", str(model_path), stdout=out)
    report = json.loads(out.getvalue().strip().splitlines()[-1])
    assert report["endorsements"]["gold"] == sum(len(stances.gold_stances(d)) for d in docs[40:])
    assert report["endorsements"]["endorsement"]["f1"] >= 0.6


@pytest.mark.django_db
def test_editors_decisions_are_gold_done_articles_whole_and_rejections_elsewhere():
    # A done article: its accepted quote and endorsement are the truth.
    done = services.article_create(body="Maria Lopez praised John Carter for the plan. "
                                        "“It works,” Lopez said.", suggest_after=False)
    s = done.body.index("“It works,”")
    services.quote_create(article=done, user=None, start=s, end=s + 11, text="“It works,”")
    lopez = services.entity_create(name="Maria Lopez")
    carter = services.entity_create(name="John Carter")
    Endorsement.objects.create(article=done, endorser=lopez, target=carter, polarity="supports",
                               status=Status.ACCEPTED, origin="editor", start=0, end=45, exact=done.body[:45])
    services.article_mark_done(article=done, user=None)
    # An article in review: one quote rejected, one still open, one endorsement rejected.
    body = "Sam Okafor met Ines Duarte.\n\n“No comment,” Okafor said.\n\nDuarte said the city was broke."
    open_article = services.article_create(body=body, suggest_after=False)
    for piece, status in (("“No comment,”", Status.REJECTED), ("the city was broke", Status.SUGGESTED)):
        s = body.index(piece)
        Quote.objects.create(article=open_article, start=s, end=s + len(piece), exact=piece, status=status,
                             origin="engine", engine_version="rules-4", confidence=0.7, kind="direct")
    okafor = services.entity_create(name="Sam Okafor")
    duarte = services.entity_create(name="Ines Duarte")
    Endorsement.objects.create(article=open_article, endorser=okafor, target=duarte, polarity="opposes",
                               status=Status.REJECTED, origin="engine", engine_version="rules-4", confidence=0.7, start=0, end=27, exact=body[:27])
    # An article nobody touched teaches nothing.
    services.article_create(body="Rosa Klein attacked Tom Baker.", suggest_after=False)

    from annotations.selectors import gold_from_editors

    gold = {d["id"]: d for d in gold_from_editors()}
    assert set(gold) == {f"article-{done.id}", f"article-{open_article.id}"}
    whole = gold[f"article-{done.id}"]
    assert not whole.get("partial") and [q["text"] for q in whole["quotes"]] == ["“It works,”"]
    assert whole["stances"] == [{"subject": "Maria Lopez", "object": "John Carter", "polarity": "supports"}]
    partial = gold[f"article-{open_article.id}"]
    assert partial["partial"] and partial["quotes"] == [] and partial["stances"] == []
    assert partial["rejected_quotes"] == [[body.index("“No"), body.index("“No") + 13]]
    assert partial["open_quotes"] == [[body.index("the city"), body.index("the city") + 18]]
    assert partial["rejected_stances"] == [["Sam Okafor", "Ines Duarte"]]

    # Of the article in review, only the paragraph whose suggestions were all decided trains
    # the quote tagger (as "no quote here"), and only the rejected pair the classifier.
    taught = list(learned._sequences([partial]))
    assert len(taught) == 1 and set(taught[0][1]) == {"O"}
    pairs = list(stances.examples(partial, stances.candidates(partial["text"])))
    assert [label for _, label in pairs] == ["none"]
    assert Article.objects.filter(review=Article.Review.DONE).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_model_trained_on_editors_endorsements_suggests_them_through_a_real_worker(celery_worker):
    from annotations.models import Entity, SuggesterModel, SuggestionRun
    from tests.conftest import wait_for

    for doc in stance_docs(40, seed=12):
        article = services.article_create(body=doc["text"], suggest_after=False)
        first = article.body.split("\n")[0]
        for st in doc["stances"]:
            endorser, target = (Entity.objects.filter(name=n).first() or services.entity_create(name=n)
                                for n in (st["subject"], st["object"]))
            Endorsement.objects.create(
                article=article, endorser=endorser, target=target, status=Status.ACCEPTED, origin="editor",
                polarity="supports" if st["polarity"] == "positive" else "opposes",
                start=0, end=len(first), exact=first)
        services.article_mark_done(article=article, user=None)
    out = StringIO()
    call_command("train_suggester", "--from-db", "--activate", "--max-iterations", "30", stdout=out)
    model = SuggesterModel.objects.get(active=True)
    assert "endorsements:" in out.getvalue() and model.sources == ["editors' decisions"]

    article = services.article_create(body="Chen Wei took aim at Rosa Klein over the budget.\n\n"
                                           "Tickets went on sale at noon.")
    run = wait_for(lambda: SuggestionRun.objects.filter(article=article, status=SuggestionRun.State.DONE).first())
    assert run.engine_version == model.version
    made = Endorsement.objects.filter(article=article, status=Status.SUGGESTED).select_related("endorser", "target")
    best = max(made, key=lambda e: e.confidence)
    assert (best.endorser.name, best.polarity, best.target.name) == ("Chen Wei", "opposes", "Rosa Klein")
    assert best.engine_version == model.version and article.body[best.start:best.end] == best.exact
    # It learned no quotes (the editors marked none): the rules suggest them, as before it.
    assert model.counts["fit_quotes"] == 0
    text = "“Taxes will rise,” Chen Wei said on Monday."
    assert learned.Model.from_bytes(bytes(model.artifact)).suggest(text).quotes == suggest(text).quotes


@pytest.mark.django_db
def test_the_admin_lists_models_with_their_endorsement_score(admin_client, model):
    from annotations import suggesters

    with_stances = suggesters.suggester_store(model=model)
    quotes_only = suggesters.suggester_store(model=learned.train(gold_docs(8), max_iterations=20))
    page = admin_client.get("/admin/annotations/suggestermodel/").content.decode()
    assert "Endorsement F1" in page
    row = page[page.index(with_stances.version):].split("</tr>")[0]
    assert f"{model.meta['stance']['heldout']['endorsement_f1']}" in row
    assert ">rules<" in page[page.index(quotes_only.version):].split("</tr>")[0]


# Written to reach every branch of pair_signals: speakers by a speech verb, a quoted sentence, a
# negation and support and opposition words between two parties, short phrases joining them,
# pronouns, a party named in one sentence and another in the next, and a topic the article keeps naming.
SIGNALS = (
    "Sen. Maria Lopez said Tuesday that she would not back John Carter on the budget. “Carter praised "
    "the budget, but Lopez never trusted him,” said Amal Haddad.\n\nThe Republicans criticized Lopez. "
    "They said the budget was a mistake. Carter vouched for Haddad.\n\nHaddad, who attacked the budget "
    "in May, told reporters Lopez and Carter had failed. Olga Petrova backed Lopez over the budget."
)


@pytest.fixture
def c_stances():
    if stances._stances is None:
        pytest.skip("annotations/suggest/_stances.c was not built (no C compiler at install)")
    return stances._stances


@pytest.mark.compiled
def test_the_c_pair_signals_give_each_pair_what_the_python_loop_gives(c_stances, monkeypatch):
    """Each candidate's features (their values and their order, which training and the classifier's
    sums follow) and its evidence sentences, the same with the C part as with Python."""
    texts = [SIGNALS] + [d["text"] for d in stance_docs(20, seed=7) + topic_docs(10, seed=8)]

    def read(text):
        return [(c.a.key, c.b.key, list(c.features.items()), c.sentences) for c in stances.candidates(text)]

    with_c = [read(t) for t in texts]
    monkeypatch.setattr(stances, "_stances", None)
    in_python = [read(t) for t in texts]
    assert with_c == in_python
    first = {(a, b): feats for a, b, feats, _ in with_c[0]}
    # The example reaches what it was written for.
    names = {k for feats in first.values() for k, _ in feats}
    assert {"next", "a_says_ab", "b_says_ba", "coq_ab", "ab:neg", "ab:verb=vouched", "ab:verb=for"} <= names
    assert any(b == "budget" for a, b in first)


@pytest.mark.compiled
def test_the_c_pair_signals_refuse_what_does_not_fit_the_article(c_stances):
    names = stances._NAMES
    lowers, flags = ["a", "said", "b"], [0, 8, 0]

    def run(parties, sentence=(0, 3), names=names, flags=flags):
        return c_stances.pair_signals(flags, lowers, [(*sentence, False, (0, 9), tuple(parties))], names)

    fine = [(0, 0, 0, 1), (1, 1, 2, 3)]  # "a said b": two leading parties, a speech verb between them
    [(a, b, features, [record]), _] = run(fine)
    said = {"co": 1.0, "co_ab": 1.0, "a_says_ab": 1.0, "b_says_ab": 1.0, "ab:sup": 0.0, "ab:opp": 0.0, "ssup": 0.0,
            "sopp": 0.0, "ab:verb=said": 1.0}
    assert (a, b, features, record) == (0, 1, said, ((0, 9), 0, True, True, False, 0, 0, 0, 0, False, ("said",)))
    assert stances.said_of(record) == said
    for bad, why in [(dict(parties=[(0, 0, 0, 1), (1, 1, 3, 4)]), "a mention's token 3 out of range"),
                     (dict(parties=[(0, 0, 0, 1), (1, 1, 2, 2)]), "a mention's end 2 out of range"),
                     (dict(parties=[(0, 1, 0, 1)]), "a party's first index 1 out of range"),
                     (dict(parties=[(2, 1, 0, 1)]), "a leading party has one index"),
                     (dict(parties=[(-1, -1, 0, 1)]), "a party's index -1 out of range"),
                     (dict(parties=fine, sentence=(2, 1)), "a sentence's end 1 out of range"),
                     (dict(parties=fine, names=names[:-1]), "20 names"),
                     (dict(parties=fine, flags=[0, 8]), "a lower case per flag")]:
        with pytest.raises(ValueError, match=why):
            run(**bad)
    with pytest.raises(ValueError, match="a party is"):
        c_stances.pair_signals(flags, lowers, [(0, 3, False, (0, 9), ((0, 0, 0),))], names)


@pytest.mark.compiled
def test_the_c_probabilities_are_pythons_to_the_bit(c_stances, model):
    """Every candidate's probabilities from its feature groups, counts above 1 squashed, shared
    groups summed once: the same floats in C as in Python, also for a model that never saw a
    polarity."""
    weights = model.stance_classifier().weights
    groups = [c.groups for t in [SIGNALS] + [d["text"] for d in stance_docs(10, seed=9)]
              for c in stances.candidates(t)]
    counted = [g for cand in groups for g in cand if isinstance(g, dict)]
    assert any(v > 1 and k in weights for g in counted for k, v in g.items()), "no squashed count was tried"
    assert len({id(g) for cand in groups for g in cand}) < sum(map(len, groups)), "no group was shared"
    for present in [(True, True, True), (True, False, True)]:
        assert c_stances.probabilities(weights, groups, present) == stances.probabilities(weights, groups, present)
    for bad, why in [([["co"]], "groups are a tuple"), ([(["co"],)], "a tuple of features or a dict of counts")]:
        with pytest.raises(ValueError, match=why):
            c_stances.probabilities(weights, bad, (True, True, True))
    with pytest.raises(ValueError, match="a tuple of 3 floats"):
        c_stances.probabilities({"co": (1.0, 2.0)}, [({"co": 1.0},)], (True, True, True))
    with pytest.raises(ValueError, match="one flag per label"):
        c_stances.probabilities(weights, groups, (True, True))
