"""Rule-based attribution: quotation marks, speech verbs and the names around them."""

import re

from annotations.suggest.types import QuoteSuggestion, Speaker, Suggestions

ENGINE_VERSION = "rules-1"

_DIRECT = re.compile(r"[\"“]([^\"“”\n]{2,}?)[\"”]")
_VERBS = r"(?:said|says|told|added|warned|claimed|insisted|stated|explained|noted|wrote|tweeted)"
_NAME = r"(?:[A-Z][\w’'-]+)(?:\s+[A-Z][\w’'-]+){0,3}"
_AFTER = re.compile(rf"^\W{{0,3}}\s*(?P<name>{_NAME})\s+(?P<cue>{_VERBS})\b|^\W{{0,3}}\s*(?P<cue2>{_VERBS})\s+(?P<name2>{_NAME})")
_BEFORE = re.compile(rf"(?P<name>{_NAME})\s+(?P<cue>{_VERBS})\b[^.\"“”]{{0,40}}$")


def _speaker_near(text: str, start: int, end: int):
    """A name next to a speech verb just after or just before the quotation."""
    after = text[end : end + 80]
    m = _AFTER.search(after)
    if m:
        name_group = "name" if m.group("name") else "name2"
        cue_group = "cue" if m.group("cue") else "cue2"
        return (m.group(name_group), end + m.start(name_group), end + m.end(name_group),
                m.group(cue_group), end + m.start(cue_group), end + m.end(cue_group))
    window_start = max(0, start - 120)
    m = _BEFORE.search(text[window_start:start])
    if m:
        return (m.group("name"), window_start + m.start("name"), window_start + m.end("name"),
                m.group("cue"), window_start + m.start("cue"), window_start + m.end("cue"))
    return None


def suggest(text: str) -> Suggestions:
    result = Suggestions(engine_version=ENGINE_VERSION)
    for match in _DIRECT.finditer(text):
        start, end = match.span(1)
        found = _speaker_near(text, match.start(), match.end())
        if found:
            name, s_start, s_end, cue, c_start, c_end = found
            result.quotes.append(QuoteSuggestion(
                start=start, end=end, text=text[start:end], kind="direct", confidence=0.6,
                speaker=Speaker(name=name), speaker_start=s_start, speaker_end=s_end,
                cue=cue, cue_start=c_start, cue_end=c_end,
            ))
        else:
            result.quotes.append(QuoteSuggestion(
                start=start, end=end, text=text[start:end], kind="direct", confidence=0.3,
            ))
    return result
