"""The quote and endorsement metrics of the evaluation data (pure Python).

Quotes: a prediction matches a gold quote when the IoU of their character sets
(gold: the union of its spans) reaches a threshold; one-to-one, best IoU first.
"""

import functools
import re

THRESHOLDS = (0.3, 0.5, 0.8)
NOT_NAMES = {"mr", "mrs", "ms", "dr", "president", "sen", "senator", "rep", "gov", "the", "a", "an",
             "vice", "former", "secretary", "minister", "mayor", "governor"}
CAP_WORD = re.compile(r"\b[A-Z][\w’'-]*")


def _chars(spans) -> set[int]:
    out: set[int] = set()
    for s, e in spans:
        out.update(range(s, e))
    return out


def _names(text: str | None) -> set[str]:
    if not text:
        return set()
    return {w.lower().rstrip("’'s") for w in CAP_WORD.findall(text)} - NOT_NAMES


def match(gold: list[dict], pred: list[dict], threshold: float) -> list[tuple[int, int]]:
    gold_sets = [_chars(g.get("spans") or [[g["start"], g["end"]]]) for g in gold]
    pairs = []
    for pi, p in enumerate(pred):
        pset = set(range(p["start"], p["end"]))
        for gi, gset in enumerate(gold_sets):
            inter = len(pset & gset)
            if inter:
                iou = inter / len(pset | gset)
                if iou >= threshold:
                    pairs.append((iou, gi, pi))
    pairs.sort(reverse=True)
    used_g, used_p, result = set(), set(), []
    for _, gi, pi in pairs:
        if gi not in used_g and pi not in used_p:
            used_g.add(gi)
            used_p.add(pi)
            result.append((gi, pi))
    return result


def speaker_right(g: dict, p: dict) -> bool:
    spans = g.get("speaker_spans") or ([[g["speaker_start"], g["speaker_end"]]]
                                       if g.get("speaker_start") is not None else [])
    if p.get("speaker_start") is not None:
        for s, e in spans:
            if p["speaker_start"] < e and s < p["speaker_end"]:
                return True
    return bool(_names(p.get("speaker")) & _names(g.get("speaker")))


def _prf(tp, n_pred, n_gold):
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4),
            "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0}


def evaluate_quotes(gold_docs: dict, pred_docs: dict) -> dict:
    n_gold = sum(len(d["quotes"]) for d in gold_docs.values())
    n_pred = sum(len(pred_docs.get(i, {}).get("quotes", [])) for i in gold_docs)
    result = {"articles": len(gold_docs), "gold": n_gold, "predicted": n_pred}
    for t in THRESHOLDS:
        tp = sum(len(match(d["quotes"], pred_docs.get(i, {}).get("quotes", []), t)) for i, d in gold_docs.items())
        result[f"quote@{t}"] = _prf(tp, n_pred, n_gold)
    with_speaker = right = 0
    for i, d in gold_docs.items():
        pred = pred_docs.get(i, {}).get("quotes", [])
        for gi, pi in match(d["quotes"], pred, 0.5):
            g = d["quotes"][gi]
            ok = speaker_right(g, pred[pi])
            if g.get("speaker"):
                with_speaker += 1
                right += ok
    result["speaker_accuracy@0.5"] = round(right / with_speaker, 4) if with_speaker else 0.0
    tp = 0
    for i, d in gold_docs.items():
        pred = pred_docs.get(i, {}).get("quotes", [])
        tp += sum(1 for gi, pi in match(d["quotes"], pred, 0.5) if speaker_right(d["quotes"][gi], pred[pi]))
    result["attribution@0.5"] = _prf(tp, n_pred, n_gold)
    return result


CONFIDENCE_THRESHOLDS = (0.5, 0.7, 0.8, 0.9)


def evaluate_confidence(gold_docs: dict, pred_docs: dict, bins: int = 10) -> dict:
    """Is a suggestion's confidence the chance it is right? A suggestion is right when its span
    matches a gold quote at IoU 0.5. Precision of the suggestions at or above each threshold,
    and the expected calibration error (equal-width bins, weighted by their size)."""
    scored = []  # (confidence, right)
    for i, d in gold_docs.items():
        pred = pred_docs.get(i, {}).get("quotes", [])
        hits = {pi for _, pi in match(d.get("quotes", []), pred, 0.5)}
        scored.extend((float(p.get("confidence") or 0.0), pi in hits) for pi, p in enumerate(pred))
    result = {"suggestions": len(scored)}
    for t in CONFIDENCE_THRESHOLDS:
        above = [ok for c, ok in scored if c >= t]
        result[f"precision@conf>={t}"] = {"n": len(above),
                                          "precision": round(sum(above) / len(above), 4) if above else None}
    ece = 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        members = [(c, ok) for c, ok in scored if lo <= c < hi or (b == bins - 1 and c == 1.0)]
        if members:
            gap = abs(sum(c for c, _ in members) / len(members) - sum(ok for _, ok in members) / len(members))
            ece += gap * len(members) / len(scored)
    result["ece"] = round(ece, 4)
    return result


ENDORSE_IGNORE = {"president", "sen", "senator", "party", "campaign", "the", "of", "rep", "gov", "mr",
                  "mrs", "ms", "and", "a", "an", "former", "vice"}


@functools.lru_cache(maxsize=4096)  # an article's names are compared with each other many times
def content_words(text: str | None) -> frozenset[str]:
    """The words two names of one party share ("Sen. Ted Cruz" and "Cruz": titles, 'party' aside)."""
    return frozenset(re.findall(r"[\w’'-]+", (text or "").lower())) - ENDORSE_IGNORE


def endorsement_hits(pred, gold, *, use_polarity: bool = True) -> list[bool]:
    """For each predicted (endorser, target, polarity), in order, whether it takes a gold
    (subject, object, polarity) triple of its own: the metric's one-to-one match."""
    left, out = list(gold), []
    for endorser, target, pol in pred:
        a, b = content_words(endorser), content_words(target)
        hit = next((g for g in left if (not use_polarity or g[2] == pol)
                    and a & content_words(g[0]) and b & content_words(g[1])), None)
        if hit is not None:
            left.remove(hit)
        out.append(hit is not None)
    return out


# Gold stances say positive/negative (SEESAW); the editors' own (selectors.gold_from_editors)
# say supports/opposes, as suggestions do.
POLARITY = {"supports": "positive", "opposes": "negative"}


def evaluate_endorsements(gold_docs: dict, pred_docs: dict) -> dict:
    tp = tp_any = n_gold = n_pred = 0
    for i, d in gold_docs.items():
        # Unique triples in the file's order: matching is greedy, so a set's order (which
        # changes from run to run) would change the score.
        gold = list(dict.fromkeys(
            (s["subject"], s["object"], POLARITY.get(s.get("polarity"), s.get("polarity")))
            for s in d.get("stances", [])
            if s.get("subject") and s.get("object") and "Not in the list" not in (s["subject"], s["object"])))
        pred = [(p["endorser"], p["target"], POLARITY.get(p["polarity"], p["polarity"]))
                for p in pred_docs.get(i, {}).get("endorsements", [])]
        n_gold += len(gold)
        n_pred += len(pred)
        tp += sum(endorsement_hits(pred, gold))
        tp_any += sum(endorsement_hits(pred, gold, use_polarity=False))
    return {"gold": n_gold, "predicted": n_pred, "endorsement": _prf(tp, n_pred, n_gold),
            "endorsement_any_polarity": _prf(tp_any, n_pred, n_gold)}
