"""Bytes to text for imports: BOMs, UTF-16, and UTF-8 with Latin-1 (cp1252) lines mixed in."""

import codecs


def sniff(head: bytes) -> str | None:
    """An encoding the whole file is in, when its start says so; else None (decode per line)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = head[:4096]
    if len(sample) >= 4 and sample.count(b"\x00") > len(sample) // 4:
        # UTF-16 without a BOM: ASCII text leaves every other byte zero.
        return "utf-16-le" if sample[1:2] == b"\x00" else "utf-16-be"
    return None


def decode_line(raw: bytes) -> tuple[str, bool]:
    """(text, was_utf8). A line that is not UTF-8 is read as cp1252, then Latin-1."""
    try:
        return raw.decode("utf-8"), True
    except UnicodeDecodeError:
        try:
            return raw.decode("cp1252"), False
        except UnicodeDecodeError:
            return raw.decode("latin-1"), False


MAX_LINE_BYTES = 64 * 1024**2  # a line (a row) longer than this is skipped, not held in memory


class LineTooLong(str):
    """Stands for a line over MAX_LINE_BYTES that was skipped unread: a blank line to parsers,
    recognisable to readers, which report it with its line number."""


TOO_LONG_REASON = f"line over the {MAX_LINE_BYTES // 1024**2} MB limit for one row; skipped"


def _capped(readline, newline):
    """Lines from readline(limit), a line over the limit read to its end in pieces and given
    as LineTooLong, so memory stays at the limit however long a line is."""
    while True:
        line = readline(MAX_LINE_BYTES + 1)
        if not line:
            return
        if len(line) > MAX_LINE_BYTES and not line.endswith(newline):
            while (rest := readline(1024**2)) and not rest.endswith(newline):
                pass
            yield LineTooLong("\n")
            continue
        yield line


def text_lines(fh, head: bytes):
    """Yield decoded lines (with their line ends) from a binary file object."""
    encoding = sniff(head)
    if encoding:
        import io

        text = io.TextIOWrapper(fh, encoding=encoding, newline="")
        yield from _capped(text.readline, "\n")
        return
    for raw in _capped(fh.readline, b"\n"):
        yield raw if isinstance(raw, LineTooLong) else decode_line(raw)[0]
