"""An annotation's span: checked against the article's text, and its W3C anchor (exact, prefix,
suffix) made from it."""

from django.core.exceptions import ValidationError

from annotations.text import selector


def span_anchor(body: str, start: int, end: int) -> dict:
    """The W3C TextQuoteSelector parts for a span, checked against the body."""
    if not (0 <= start < end <= len(body)):
        raise ValidationError({"start": f"span {start}-{end} is outside the body (0-{len(body)})"})
    return selector(body, start, end)


def span_set(row, body: str) -> None:
    """A quote's or endorsement's words and their context at its offsets (none without a span)."""
    if row.start is None:
        row.exact = row.prefix = row.suffix = ""
    else:
        row.exact, row.prefix, row.suffix = span_anchor(body, row.start, row.end).values()


def _check_span(body: str, start, end, exact: str | None, field: str) -> None:
    if start is None and end is None:
        return
    if start is None or end is None:
        raise ValidationError({field: "give both start and end, or neither"})
    if not (0 <= start < end <= len(body)):
        raise ValidationError({field: f"span {start}-{end} is not inside the body (0-{len(body)})"})
    if exact is not None and body[start:end] != exact:
        raise ValidationError(
            {field: f"body[{start}:{end}] is {body[start:end]!r}, not the text sent {exact!r}"}
        )
