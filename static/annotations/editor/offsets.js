// The server counts Python code points; the DOM counts UTF-16 code units. An emoji is one
// code point but two units, so every offset crossing the boundary goes through here.

/** UTF-16 offset in `text` -> code-point offset. */
export function toCodePoints(text, utf16) {
  let points = 0;
  for (let i = 0; i < utf16 && i < text.length; i++) {
    const unit = text.charCodeAt(i);
    // A high surrogate starts a pair: count the pair once.
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    points++;
  }
  return points;
}

/** Code-point offset in `text` -> UTF-16 offset. */
export function toUtf16(text, points) {
  let i = 0;
  for (let p = 0; p < points && i < text.length; p++) {
    const unit = text.charCodeAt(i);
    i += unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length ? 2 : 1;
  }
  return i;
}

/** The code-point slice text[start:end], as Python would take it. */
export function slice(text, start, end) {
  return text.slice(toUtf16(text, start), toUtf16(text, end));
}

/** Both directions at once for one text, in O(1) per look-up (for long articles). */
export function offsetIndex(text) {
  const toU16 = [0];
  const toCp = new Int32Array(text.length + 1);
  let cp = 0;
  for (let i = 0; i < text.length; ) {
    const unit = text.charCodeAt(i);
    const width = unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length ? 2 : 1;
    toCp[i] = cp;
    if (width === 2) toCp[i + 1] = cp + 1;  // inside a pair: round to the next code point
    i += width;
    cp += 1;
    toU16.push(i);
  }
  toCp[text.length] = cp;
  return {length: cp, toU16: (p) => toU16[Math.max(0, Math.min(p, cp))], toCp: (u) => toCp[Math.max(0, Math.min(u, text.length))]};
}
