"""The engine over JSON Lines: {"id", "text", ...} in, suggestions out (no database)."""

import json

from annotations.suggest import suggest


def suggestion_record(doc_id, text: str, suggest_fn=None) -> dict:
    """One article's suggestions as JSON; `suggest_fn` is a model's suggest (default: the rules)."""
    return record(doc_id, (suggest_fn or suggest)(text))


def record(doc_id, result) -> dict:
    """Suggestions as JSON, in the format the metrics and the gold files use."""
    return {
        "id": doc_id,
        "engine_version": result.engine_version,
        "quotes": [
            {"start": q.start, "end": q.end, "text": q.text, "kind": q.kind,
             "speaker": q.speaker.name if q.speaker else None, "speaker_start": q.speaker_start,
             "speaker_end": q.speaker_end, "cue": q.cue or None, "cue_start": q.cue_start,
             "cue_end": q.cue_end, "confidence": q.confidence}
            for q in result.quotes
        ],
        "endorsements": [
            {"endorser": e.endorser.name, "target": e.target.name if e.target else e.target_text,
             "polarity": e.polarity, "start": e.start, "end": e.end, "confidence": e.confidence}
            for e in result.endorsements
        ],
    }


def read_jsonl(path, *, need: str = "text"):
    """Yield (line number, object); a bad line (not UTF-8, not JSON, not an object, without the
    string `need`, or without the key `need` when that is "id") raises ValueError naming the
    line. A byte order mark before the first line is read past."""
    with open(path, "rb") as fh:  # decoded line by line, so an error can name its line
        for n, raw in enumerate(fh, 1):
            try:
                line = raw.decode("utf-8-sig" if n == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                raise ValueError(f"{path}: line {n}: not UTF-8 text (byte {exc.start + 1} of the line)") from None
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}: line {n}: not valid JSON ({exc.msg})") from None
            if need == "id" and not (isinstance(obj, dict) and "id" in obj):
                raise ValueError(f"{path}: line {n}: expected an object with an 'id'")
            if need != "id" and not (isinstance(obj, dict) and isinstance(obj.get(need), str)):
                raise ValueError(f"{path}: line {n}: expected an object with a string '{need}'")
            yield n, obj


def gold_problem(doc: dict) -> str | None:
    """What makes a gold article unusable, or None: quote offsets that are not whole numbers
    inside the text (start before end), a quote's text that is not the text at its offsets, or
    a stance's polarity that is none of the known ones. Such an article is left out of training
    and scoring, and the reason said."""
    text = doc["text"]
    problem = _not_lists_of_objects(doc, ("quotes", "stances"))
    if problem is not None:
        return problem
    for k, q in enumerate(doc.get("quotes") or []):
        spans = q.get("spans") or []
        whole = [q.get("start"), q.get("end")]
        pairs = [("", p) for p in spans] + ([("", whole)] if not spans or whole != [None, None] else [])
        pairs += [("speaker ", p) for p in (q.get("speaker_spans") or [])]
        pairs += [(f"{name} ", [q.get(f"{name}_start"), q.get(f"{name}_end")]) for name in ("speaker", "cue")
                  if q.get(f"{name}_start") is not None or q.get(f"{name}_end") is not None]
        for what, pair in pairs:
            if not (isinstance(pair, list) and len(pair) == 2 and all(type(x) is int for x in pair)):
                return f"quotes[{k}]: {what}offsets {pair} are not two whole numbers"
            start, end = pair
            if not 0 <= start < end <= len(text):
                return f"quotes[{k}]: {what}offsets {start}-{end} are not inside the text (length {len(text)})"
        one_piece = not spans or spans == [whole]  # the text of a quote in pieces need not be one stretch
        if isinstance(q.get("text"), str) and one_piece and q["text"] != text[q["start"]:q["end"]]:
            return (f"quotes[{k}]: its text {q['text'][:40]!r} is not the text at {q['start']}-{q['end']} "
                    f"({text[q['start']:q['end']][:40]!r})")
    for k, st in enumerate(doc.get("stances") or []):
        if st.get("polarity") not in ("positive", "negative", "supports", "opposes"):
            return f"stances[{k}]: polarity {str(st.get('polarity'))[:20]!r} is none of positive, negative"
        for who in ("subject", "object"):
            if not isinstance(st.get(who), (str, type(None))):  # None: a party the annotators could not name
                return f"stances[{k}]: {who} {str(st[who])[:20]!r} is not a name (a string)"
    return None


def _kind(value) -> str:
    return "null" if value is None else type(value).__name__


def _not_lists_of_objects(doc: dict, keys) -> str | None:
    """The first of `keys` the record has that is not a list of objects, said, or None."""
    for key in keys:
        if key in doc and not isinstance(doc[key], list):
            return f"{key}: expected a list, not {_kind(doc[key])}"
        for k, item in enumerate(doc.get(key) or []):
            if not isinstance(item, dict):
                return f"{key}[{k}]: expected an object, not {_kind(item)}"
    return None


def prediction_problem(doc: dict) -> str | None:
    """What makes a prediction record (suggest_file's output) unreadable by the metrics, or None."""
    def number(x, low=0):
        return type(x) in (int, float) and x >= low

    problem = _not_lists_of_objects(doc, ("quotes", "endorsements"))
    if problem is not None:
        return problem
    for k, q in enumerate(doc.get("quotes") or []):
        if not (type(q.get("start")) is int and type(q.get("end")) is int and 0 <= q["start"] < q["end"]):
            return f"quotes[{k}]: start and end must be whole numbers, start before end (got {q.get('start')!r}, " \
                   f"{q.get('end')!r})"
        for name in ("speaker_start", "speaker_end"):
            if q.get(name) is not None and type(q[name]) is not int:
                return f"quotes[{k}]: {name} {q[name]!r} is not a whole number"
        if not isinstance(q.get("speaker"), (str, type(None))):
            return f"quotes[{k}]: speaker {str(q['speaker'])[:20]!r} is not a name (a string)"
        if q.get("confidence") is not None and not (number(q["confidence"]) and q["confidence"] <= 1):
            return f"quotes[{k}]: confidence {str(q['confidence'])[:20]!r} is not a number from 0 to 1"
    for k, e in enumerate(doc.get("endorsements") or []):
        for who in ("endorser", "target"):
            if not isinstance(e.get(who), str):
                return f"endorsements[{k}]: {who} {str(e.get(who))[:20]!r} is not a name (a string)"
        if e.get("polarity") not in ("supports", "opposes", "positive", "negative"):
            return f"endorsements[{k}]: polarity {str(e.get('polarity'))[:20]!r} is none of supports, opposes"
        if e.get("confidence") is not None and not (number(e["confidence"]) and e["confidence"] <= 1):
            return f"endorsements[{k}]: confidence {str(e['confidence'])[:20]!r} is not a number from 0 to 1"
    return None


def read_gold(path, *, split: str | None = None, warn=None):
    """(line number, article) of a gold file, those of `split` only when given (an article with
    no split is in every one); an article gold_problem finds fault with is left out and said
    through `warn` ("FILE: line N: reason; article left out")."""
    for n, doc in read_jsonl(path):
        if split is not None and doc.get("split") not in (None, split):
            continue
        problem = gold_problem(doc)
        if problem is not None:
            if warn is not None:
                warn(f"{path}: line {n}: {problem}; article left out")
            continue
        yield n, doc
