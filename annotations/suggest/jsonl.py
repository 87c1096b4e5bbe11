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


def read_jsonl(path):
    """Yield (line number, object); a bad line raises ValueError naming the line."""
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}: line {n}: not valid JSON ({exc.msg})") from None
            if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
                raise ValueError(f"{path}: line {n}: expected an object with a string 'text'")
            yield n, obj
