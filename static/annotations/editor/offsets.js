// The server counts Python code points; the DOM counts UTF-16 code units. An emoji is one
// code point but two units, so every offset crossing the boundary goes through here.

/** Code point <-> UTF-16 offsets for one text, each look-up O(1) (articles can be long). */
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
