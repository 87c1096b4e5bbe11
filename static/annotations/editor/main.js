// The annotation editor: the article as text, highlights by status, a side panel, keys.
// Text is only ever set with textContent, so markup in articles or names never runs.
import {offsetIndex} from "./offsets.js";
import {ApiError, request, setArticleRevision} from "./api.js";

const data = JSON.parse(document.getElementById("editor-data").textContent);
const article = data.article;
const text = article.body;
const index = offsetIndex(text);
const $ = (id) => document.getElementById(id);
const bodyEl = $("body");
const draftKey = `newsdesk-draft-${article.id}`;
setArticleRevision(article.revision);
const state = {
  quotes: data.quotes, endorsements: data.endorsements, tags: data.tags,
  current: null, showRejected: false, editing: null, span: null, speakers: new Map(), mention: null,
};

const slice = (start, end) => text.slice(index.toU16(start), index.toU16(end));
const byReading = (a, b) => a.start - b.start || a.end - b.end || a.id - b.id;
const shown = (x) => state.showRejected || x.status !== "rejected";
// Orphans lost their words in an edit of the text: never highlighted, listed above the article.
const orphaned = (x) => x.anchor === "orphaned";
const visible = () => state.quotes.filter((q) => shown(q) && !orphaned(q)).sort(byReading);
const quoteById = (id) => state.quotes.find((q) => q.id === id);
const label = (q) => (q.speaker ? q.speaker.name
  : q.speaker_start != null && !orphaned(q) ? slice(q.speaker_start, q.speaker_end) : "no speaker");
const short = (s, n = 120) => (s.length > n ? s.slice(0, n - 1) + "…" : s);

function node(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (value !== undefined && value !== null && value !== false) el.setAttribute(key, value);
  }
  el.append(...children);
  return el;
}

function banner(message, kind = "error") {
  const el = $("banner");
  el.hidden = !message;
  el.className = `banner ${kind}`;
  el.textContent = message || "";
}

// --- The article text with highlights ---------------------------------------------------

function renderBody() {
  const quotes = visible();
  const edges = new Map();  // code point -> quotes starting / ending there
  const at = (p) => edges.get(p) || (edges.set(p, {open: [], close: []}), edges.get(p));
  for (const q of quotes) { at(q.start).open.push(q); at(q.end).close.push(q); }
  const points = [...new Set([0, index.length, ...edges.keys()])].sort((a, b) => a - b);
  const active = new Set();
  const fragment = document.createDocumentFragment();
  for (let i = 0; i < points.length - 1; i++) {
    const p = points[i];
    for (const q of edges.get(p)?.close || []) active.delete(q);
    for (const q of edges.get(p)?.open || []) active.add(q);
    const piece = slice(p, points[i + 1]);
    if (!active.size) { fragment.append(piece); continue; }
    const list = [...active];
    const top = list.reduce((a, b) => (b.end - b.start < a.end - a.start ? b : a));
    const span = node("span", {
      class: `hl ${top.status}${list.some((q) => q.id === state.current) ? " current" : ""}`,
      "data-ids": list.map((q) => q.id).join(" "), "data-depth": Math.min(list.length, 3),
      title: list.map((q) => `${label(q)} (${q.status})`).join("; "), text: piece,
    });
    const ending = list.filter((q) => q.end === points[i + 1]);
    if (ending.length) span.dataset.label = ending.map(label).join(", ");
    fragment.append(span);
  }
  bodyEl.replaceChildren(fragment);
}

/** The selection inside the article as code points, without outer spaces; null if none. */
function selectionSpan() {
  const sel = window.getSelection();
  if (!sel.rangeCount) return null;
  const range = sel.getRangeAt(0);
  if (!bodyEl.contains(range.startContainer) || !bodyEl.contains(range.endContainer)) return null;
  const offset = (container, off) => {
    const r = document.createRange();
    r.setStart(bodyEl, 0);
    r.setEnd(container, off);
    return r.toString().length;  // UTF-16 units: the DOM's text is exactly the body
  };
  let start = index.toCp(offset(range.startContainer, range.startOffset));
  let end = index.toCp(offset(range.endContainer, range.endOffset));
  while (start < end && /\s/.test(slice(start, start + 1))) start++;
  while (end > start && /\s/.test(slice(end - 1, end))) end--;
  return end > start ? {start, end} : null;
}

// --- The side panel ---------------------------------------------------------------------

// Who made or decided an annotation, and how sure the engine was: quotes and endorsements alike.
function provenance(x) {
  return x.reviewed_by ? `${x.status} by ${x.reviewed_by} ${x.reviewed_at?.slice(0, 16).replace("T", " ") || ""}`
    : x.origin === "engine" ? `suggested by ${x.engine_version}` : `by ${x.created_by || x.origin}`;
}

function confidence(x) {
  return x.confidence != null ? node("span", {class: "conf", text: `${Math.round(x.confidence * 100)}%`}) : "";
}

function renderPanel() {
  const list = visible();
  $("quote-count").textContent = `(${list.length})`;
  $("quote-list").replaceChildren(...list.map((q) => {
    const who = provenance(q);
    const actions = data.can_edit ? [
      q.status !== "accepted" && node("button", {type: "button", text: "Accept", onclick: (e) => { e.stopPropagation(); review(q, "accept"); }}),
      q.status !== "rejected" && node("button", {type: "button", text: "Reject", onclick: (e) => { e.stopPropagation(); review(q, "reject"); }}),
      node("button", {type: "button", text: "Edit", onclick: (e) => { e.stopPropagation(); openQuoteForm(q); }}),
      node("button", {type: "button", text: "Endorsement", onclick: (e) => { e.stopPropagation(); openEndorseForm(q); }}),
    ].filter(Boolean) : [];
    return node("li", {class: `item ${q.status}${q.id === state.current ? " current" : ""}`, "data-id": q.id,
                       tabindex: "-1", onclick: () => select(q.id, "panel")},
      node("div", {class: "who"}, node("strong", {text: label(q)}),
           node("span", {class: `badge ${q.status}`, text: q.status}), confidence(q)),
      node("div", {class: "quote-text", text: short(q.text, 160)}),
      node("div", {class: "meta", text: `${q.kind}${q.cue ? ` · ${q.cue}` : ""} · ${who}`}),
      node("div", {class: "actions"}, ...actions));
  }));
  $("endorsement-list").replaceChildren(...state.endorsements.filter((e) => state.showRejected || e.status !== "rejected").map((e) => {
    const target = e.target ? e.target.name : e.target_text;
    const answers = e.responds_to ? state.endorsements.find((x) => x.id === e.responds_to) : null;
    return node("li", {class: `item ${e.status}`, "data-id": e.id,
                       onclick: () => e.evidence_id && select(e.evidence_id, "panel")},
      node("div", {class: "who"}, node("strong", {text: `${e.endorser.name} ${e.polarity} ${target}`}),
           node("span", {class: `badge ${e.status}`, text: e.status}), confidence(e)),
      answers ? node("div", {class: "meta", text: `in response to: ${answers.endorser.name} ${answers.polarity} ${answers.target ? answers.target.name : answers.target_text}`}) : "",
      e.text ? node("div", {class: "quote-text", text: short(e.text, 140)}) : "",
      node("div", {class: "meta", text: provenance(e)}),
      node("div", {class: "actions"}, ...(data.can_edit ? [
        node("button", {type: "button", text: "Edit", onclick: (ev) => { ev.stopPropagation(); openEndorseForm(null, e); }}),
        e.status !== "accepted" && node("button", {type: "button", text: "Accept", onclick: (ev) => { ev.stopPropagation(); reviewEndorsement(e, "accept"); }}),
        e.status !== "rejected" && node("button", {type: "button", text: "Reject", onclick: (ev) => { ev.stopPropagation(); reviewEndorsement(e, "reject"); }}),
      ].filter(Boolean) : [])));
  }));
  const floor = threshold();
  const above = [...state.quotes, ...state.endorsements]
    .filter((x) => x.status === "suggested" && (x.confidence ?? 0) >= floor).length;
  $("btn-accept-all").textContent = floor === null ? "Accept all" : `Accept all (${above})`;
  $("btn-accept-all").disabled = floor === null;
  $("btn-accept-all").title = floor === null ? "Enter the lowest confidence to accept, from 0 to 1" : "";
}

/** An item of the lists above the article: its title and status, then `rest`. */
const listed = (x, kind, title, ...rest) => node("li", {class: `item ${x.status}`, "data-id": x.id, "data-kind": kind},
  node("div", {class: "who"}, node("strong", {text: title}), node("span", {class: `badge ${x.status}`, text: x.status})),
  ...rest);

function renderOrphans() {
  const quotes = state.quotes.filter((q) => orphaned(q) && shown(q)).sort(byReading);
  const endorsements = state.endorsements.filter((e) => orphaned(e) && shown(e));
  const count = quotes.length + endorsements.length;
  $("orphans").hidden = !count;
  $("orphans-title").textContent = `${count} annotation${count === 1 ? "" : "s"} lost ${count === 1 ? "its" : "their"} place `
    + "in an edit of the text — " + (data.can_edit ? "select the words in the article and re-attach, or delete."
      : "an editor re-attaches or deletes them.");
  const item = (x, kind, title) => listed(x, kind, title,
    node("div", {class: "quote-text", text: short(x.text, 200)}),
    node("div", {class: "actions"}, ...(data.can_edit ? [
      node("button", {type: "button", text: "Re-attach to selection", onmousedown: (ev) => ev.preventDefault(),
                      onclick: () => reattach(x, kind)}),
      node("button", {type: "button", class: "danger", text: "Delete", onclick: () => removeOrphan(x, kind)}),
    ] : [])));
  $("orphan-list").replaceChildren(
    ...quotes.map((q) => item(q, "quotes", `Quote · ${label(q)}`)),
    ...endorsements.map((e) => item(e, "endorsements", `Endorsement · ${endorsementLabel(e)}`)));
}

// Decided annotations whose words a correction changed a little (placed by a fuzzy match): the
// decision stands until an editor looks at the new words and keeps or changes it.
const reworded = (x) => !!x.reworded_from && !orphaned(x) && x.status !== "suggested";

function renderReworded() {
  const quotes = state.quotes.filter((q) => reworded(q) && shown(q)).sort(byReading);
  const endorsements = state.endorsements.filter((e) => reworded(e) && shown(e));
  const count = quotes.length + endorsements.length;
  $("reworded").hidden = !count;
  $("reworded-title").textContent = `${count} ${count === 1 ? "decision stands on words" : "decisions stand on words"} `
    + "an edit of the text changed — " + (data.can_edit ? "check the new words, then keep or change each decision."
      : "an editor checks the new words.");
  const item = (x, kind, title, act, show) => listed(x, kind, title,
    node("div", {class: "was"}, "was: ", node("del", {text: short(x.reworded_from, 200)})),
    node("div", {class: "quote-text"}, "now: ", node("ins", {text: short(x.text, 200)})),
    node("div", {class: "actions"}, ...(show ? [node("button", {type: "button", text: "Show", onclick: show})] : []),
      ...(data.can_edit ? [
        node("button", {type: "button", text: x.status === "accepted" ? "Keep accepted" : "Keep rejected",
                        onclick: () => act(x, x.status === "accepted" ? "accept" : "reject")
                          .then(() => $("banner").hidden && banner(`Kept ${x.status} on the new words.`, "info"))}),
        node("button", {type: "button", class: x.status === "accepted" ? "danger" : "",
                        text: x.status === "accepted" ? "Reject" : "Accept",
                        onclick: () => act(x, x.status === "accepted" ? "reject" : "accept")}),
      ] : [])));
  $("reworded-list").replaceChildren(
    ...quotes.map((q) => item(q, "quotes", `Quote · ${label(q)}`, review, () => select(q.id))),
    ...endorsements.map((e) => item(e, "endorsements", `Endorsement · ${endorsementLabel(e)}`,
                                     (x, action) => reviewEndorsement(x, action).then(renderReworded),
                                     () => showEndorsement(e))));
}

/** An endorsement in the panel's list (and its evidence quote in the text), as a click on it does. */
function showEndorsement(e) {
  if (e.evidence_id) select(e.evidence_id, "panel");
  const li = $("endorsement-list").querySelector(`li[data-id="${e.id}"]`);
  $("endorsement-list").querySelectorAll("li.current").forEach((x) => x.classList.remove("current"));
  li.classList.add("current");
  li.scrollIntoView({block: "center", behavior: "smooth"});
}

function render() { renderBody(); renderPanel(); renderOrphans(); renderReworded(); }

function replaceItem(kind, updated) {
  if (kind === "quotes") return replaceQuote(updated);
  state.endorsements = state.endorsements.map((x) => (x.id === updated.id ? updated : x));
}

async function reattach(x, kind) {
  const span = selectionSpan();
  if (!span) return banner("Select the words in the article first, then press Re-attach.");
  try {
    const saved = await request("PATCH", `/api/v1/${kind}/${x.id}/`,
      {body: {start: span.start, end: span.end, text: slice(span.start, span.end)}, etag: x.etag});
    replaceItem(kind, saved);
    banner("Re-attached.", "info");
    render();
  } catch (err) { failed("Not re-attached", err); }
}

async function removeOrphan(x, kind) {
  if (!confirm("Delete this annotation?")) return;
  try {
    await request("DELETE", `/api/v1/${kind}/${x.id}/`, {etag: x.etag});
    // An engine suggestion is rejected rather than deleted, so it is not suggested again.
    if (kind === "quotes") state.quotes = state.quotes.filter((q) => q.id !== x.id);
    else state.endorsements = state.endorsements.filter((e) => e.id !== x.id);
    render();
  } catch (err) { failed("Not deleted", err); }
}

/** An error banner; when the article's text changed under the page, or what the page shows is
 * gone (a newer suggestion pass replaced it), with a reload button. */
function failed(what, err, extra = "") {
  if ((err.status === 412 && err.body?.code === "article_changed") || (err.status === 404 && err.body?.code === "gone")) {
    banner(`${what}. ${err.message} ${extra}`);
    const button = node("button", {type: "button", text: "Reload", onclick: () => window.location.reload()});
    $("banner").append(" ", button);
    return true;
  }
  banner(`${what}: ${err.message} ${extra}`.trim());
  return false;
}

function select(id, from) {
  state.current = id;
  render();
  const mark = bodyEl.querySelector(`.hl.current`);
  const item = $("quote-list").querySelector(`li[data-id="${id}"]`);
  if (from !== "body" && mark) mark.scrollIntoView({block: "center", behavior: "smooth"});
  if (from !== "panel" && item) item.scrollIntoView({block: "nearest", behavior: "smooth"});
}

function move(step) {
  const list = visible();
  if (!list.length) return;
  const i = list.findIndex((q) => q.id === state.current);
  const next = i === -1 ? (step > 0 ? 0 : list.length - 1) : Math.min(Math.max(i + step, 0), list.length - 1);
  select(list[next].id);
}

// --- Writes -------------------------------------------------------------------------------

// What someone else changed is the difference between the quote as this page loaded it and as
// it is now; a speaker is the same speaker when its id is, whatever else came with it.
const FIELDS = {
  text: (q) => q.text, status: (q) => q.status, kind: (q) => q.kind, cue: (q) => q.cue || "",
  speaker: (q) => (q.speaker ? q.speaker.id : q.speaker_start != null ? `@${q.speaker_start}-${q.speaker_end}` : null),
  tags: (q) => [...(q.tags || [])].sort().join(", "),
};
const fieldText = {
  speaker: (q) => label(q), text: (q) => `“${short(q.text, 40)}”`, cue: (q) => q.cue || "—",
  tags: (q) => FIELDS.tags(q) || "—",
};
const hhmm = (iso) => (iso ? new Date(iso).toTimeString().slice(0, 5) : "a moment ago");

/** "bob changed this quote at 10:25: kind direct -> mixed (theirs)." from a 412 on `loaded`. */
function explainConflict(loaded, err) {
  const current = err.body?.current;
  if (err.status !== 412 || !current) return err.message;
  const who = current.reviewed_by || current.created_by || "Someone";
  const show = (f, q) => (fieldText[f] ? fieldText[f](q) : String(FIELDS[f](q) ?? "—"));
  const changes = Object.keys(FIELDS).filter((f) => FIELDS[f](loaded) !== FIELDS[f](current))
    .map((f) => `${f} ${show(f, loaded)} -> ${show(f, current)} (theirs)`);
  return changes.length ? `${who} changed this quote at ${hhmm(current.updated_at)}: ${changes.join("; ")}.`
    : `${who} saved this quote at ${hhmm(current.updated_at)}, with no change to what you see.`;
}

function replaceQuote(updated) {
  const i = state.quotes.findIndex((q) => q.id === updated.id);
  if (i === -1) state.quotes.push(updated); else state.quotes[i] = updated;
}

// --- Review: accept / reject, moving on, undo ---------------------------------------------

const undoStack = [];
function remember(step) {
  undoStack.push(step);
  if (undoStack.length > 100) undoStack.shift();
  $("btn-undo").hidden = false;
}

// Items with an accept or reject on its way: a second press on one (a double press, a held
// key) would carry the ETag the first one is changing, and come back as someone else's edit.
const reviewing = new Set();

async function review(q, action) {
  if (!q || reviewing.has(`q${q.id}`)) return;
  reviewing.add(`q${q.id}`);
  try {
    await reviewQuote(q, action);
  } finally {
    reviewing.delete(`q${q.id}`);
  }
}

async function reviewQuote(q, action) {
  const before = q.status;
  // The next quote is found before the write: a rejected quote leaves the list.
  const list = visible();
  const next = list[list.findIndex((x) => x.id === q.id) + 1] || null;
  let moveOn = false;
  try {
    const saved = await request("POST", `/api/v1/quotes/${q.id}/${action}/`, {etag: q.etag});
    replaceQuote(saved);
    if (saved.status !== before) remember({kind: "review", type: "quotes", id: q.id, status: before});
    banner("");
    moveOn = state.current === q.id && next !== null;
  } catch (err) {
    if (err.status === 412 && err.body?.current) {
      banner(`Not saved. ${explainConflict(q, err)} Press ${action === "accept" ? "a" : "r"} again to ${action} it as it is now.`);
      replaceQuote(err.body.current);
    } else failed("Not saved", err);
  }
  if (moveOn) select(next.id); else render();
}

async function reviewEndorsement(e, action) {
  if (reviewing.has(`e${e.id}`)) return;
  reviewing.add(`e${e.id}`);
  try {
    const updated = await request("POST", `/api/v1/endorsements/${e.id}/${action}/`, {etag: e.etag});
    if (updated.status !== e.status) remember({kind: "review", type: "endorsements", id: e.id, status: e.status});
    state.endorsements = state.endorsements.map((x) => (x.id === updated.id ? updated : x));
    banner("");
  } catch (err) {
    if (err.status === 412 && err.body?.current) {
      // As for quotes: the panel shows theirs, and the same button again acts on it.
      const current = err.body.current;
      banner(`Not saved. ${endorsementChanged(current)} Press ${action === "accept" ? "Accept" : "Reject"} again to ` +
             `${action} it as it is now.`);
      replaceItem("endorsements", current);
    } else failed("Not saved", err);
  } finally {
    reviewing.delete(`e${e.id}`);
  }
  renderPanel();
}

const endorsementChanged = (e) =>
  `${e.reviewed_by || e.created_by || "Someone"} changed ${endorsementLabel(e)} at ${hhmm(e.updated_at)}: now ${e.status} (theirs).`;

/** Put a quote or endorsement back to `status`, through the same API (with its ETag). */
async function restoreStatus(type, id, status) {
  const item = type === "quotes" ? quoteById(id) : state.endorsements.find((x) => x.id === id);
  if (!item || item.status === status) return;
  replaceItem(type, await request("PATCH", `/api/v1/${type}/${id}/`, {body: {status}, etag: item.etag}));
}

async function undo() {
  const step = undoStack.pop();
  $("btn-undo").hidden = !undoStack.length;
  if (!step) return banner("Nothing to undo.", "info");
  try {
    if (step.kind === "review") {
      await restoreStatus(step.type, step.id, step.status);
      banner(`Undone: back to ${step.status}.`, "info");
    } else if (step.kind === "accept-all") {
      // One changed since by someone else stays as they left it; the rest are still undone.
      const kept = [];
      for (const [type, ids] of [["quotes", step.ids], ["endorsements", step.endorsementIds]]) {
        for (const id of ids) {
          try { await restoreStatus(type, id, "suggested"); } catch (err) {
            if (err.status !== 412 || !err.body?.current) throw err;
            const current = err.body.current;
            kept.push(type === "quotes" ? explainConflict(quoteById(id) || current, err) : endorsementChanged(current));
            replaceItem(type, current);
          }
        }
      }
      const total = step.ids.length + step.endorsementIds.length;
      if (kept.length) banner(`Undone: ${total - kept.length} of ${total} back to suggested. Kept as changed since: ${kept.join(" ")}`);
      else banner(`Undone: ${total} suggestion(s) back to suggested.`, "info");
    } else if (step.kind === "done") {
      await reopen();
      banner("Undone: the article needs review again.", "info");
    }
  } catch (err) {
    // Someone changed it since: show what they did rather than overwrite it.
    if (err.status === 412 && err.body?.current && step.type !== "endorsements") {
      banner(`Not undone: ${explainConflict(quoteById(err.body.current.id) || err.body.current, err)}`);
      replaceQuote(err.body.current);
    } else failed("Not undone", err);
  }
  if (step.kind === "review" && step.type === "quotes" && shown(quoteById(step.id) || {})) select(step.id);
  else render();
}

async function reloadQuotes() {
  const quotes = [];
  let url = `/api/v1/quotes/?article=${article.id}&page_size=500`;
  while (url) { const page = await request("GET", url); quotes.push(...page.results); url = page.next; }
  state.quotes = quotes;
}

async function reloadEndorsements() {
  const endorsements = [];
  let url = `/api/v1/endorsements/?article=${article.id}&page_size=500`;
  while (url) { const page = await request("GET", url); endorsements.push(...page.results); url = page.next; }
  // As the page lists them: in reading order, those with no span of their own last.
  const at = (e) => e.start ?? Infinity;
  state.endorsements = endorsements.sort((a, b) => at(a) - at(b) || a.id - b.id);
}

// The lowest confidence to accept, or null while the field holds no number from 0 to 1: an
// emptied field must not read as 0 and accept everything.
function threshold() {
  const typed = $("threshold").value.trim();
  const value = Number(typed);
  return typed === "" || !Number.isFinite(value) || value < 0 || value > 1 ? null : value;
}

async function acceptAll() {
  const floor = threshold();
  if (floor === null) return banner("Enter the lowest confidence to accept, from 0 to 1.");
  try {
    const result = await request("POST", "/api/v1/quotes/accept-all/", {body: {article_id: article.id, min_confidence: floor}});
    const endorsementIds = result.endorsement_ids || [];
    if (result.ids.length || endorsementIds.length) remember({kind: "accept-all", ids: result.ids, endorsementIds});
    await reloadQuotes();
    if (endorsementIds.length) await reloadEndorsements();
    banner(`Accepted ${result.accepted + endorsementIds.length} suggestion(s)`
      + (endorsementIds.length ? ` (${endorsementIds.length} endorsement(s)).` : "."), "info");
  } catch (err) { failed("Not saved", err); }
  render();
}

async function markDone() {
  // What is still left to look at: open suggestions, and the orphans and decisions on changed
  // words the lists above the article show.
  const all = [...state.quotes, ...state.endorsements];
  const count = (test) => all.filter(test).length;
  const open = count((x) => x.status === "suggested" && !orphaned(x));
  const lost = count((x) => orphaned(x) && shown(x));
  const changed = count((x) => reworded(x) && shown(x));
  const left = [
    open && `${open} suggestion${open === 1 ? " is" : "s are"} still open`,
    lost && `${lost} annotation${lost === 1 ? " has" : "s have"} lost ${lost === 1 ? "its" : "their"} place`,
    changed && `${changed} decision${changed === 1 ? " stands" : "s stand"} on words an edit changed`,
  ].filter(Boolean);
  if (left.length && !window.confirm(`${left.join("; ")}. Mark the article done anyway?`)) return;
  try {
    const updated = await request("POST", `/api/v1/articles/${article.id}/done/`);
    article.review = updated.review;
    // As the page shows it after a reload (the server's TIME_ZONE is UTC, as the API's times are).
    $("review-state").textContent = "done";
    $("done-by").textContent = `(done by ${updated.done_by}, ${(updated.done_at || "").slice(0, 16).replace("T", " ")})`;
    $("done-by").hidden = false;
    remember({kind: "done"});
    banner("Marked done.", "info");
    showReviewState();
    await showNextArticle();
  } catch (err) { failed("Not saved", err); }
}

async function reopen() {
  const updated = await request("POST", `/api/v1/articles/${article.id}/reopen/`);
  article.review = updated.review;
  $("review-state").textContent = "needs review";
  $("done-by").hidden = true;
  showReviewState();
}

function showReviewState() {
  const done = article.review === "done";
  $("btn-done").hidden = !data.can_edit || done;
  $("btn-reopen").hidden = !data.can_edit || !done;
  if (!done) $("next-article").hidden = true;
}

async function showNextArticle() {
  const next = await request("GET", `/api/v1/articles/next-to-review/?after=${article.id}`).catch(() => null);
  const link = $("next-article");
  link.hidden = !next?.id;
  if (next?.id) {
    link.href = `/articles/${next.id}/`;
    link.textContent = `Next article to review: ${short(next.title || `#${next.id}`, 60)} →`;
  }
}

// --- The shortcuts overlay ----------------------------------------------------------------

let focusBeforeShortcuts = null;
function openShortcuts() {
  focusBeforeShortcuts = document.activeElement;
  $("shortcuts").hidden = false;
  $("btn-shortcuts-close").focus();
}
function closeShortcuts() {
  $("shortcuts").hidden = true;
  focusBeforeShortcuts?.focus?.();
}

// --- Speakers -------------------------------------------------------------------------------

let lookup = 0;
async function suggestSpeakers(value) {
  const mine = ++lookup;
  if (!value.trim()) return;
  const page = await request("GET", `/api/v1/speakers/?name=${encodeURIComponent(value.trim())}&page_size=20`).catch(() => null);
  if (!page || mine !== lookup) return;
  for (const s of page.results) {
    state.speakers.set(s.name.toLowerCase(), s);
    for (const alias of s.aliases) state.speakers.set(alias.toLowerCase(), s);
  }
  $("speaker-options").replaceChildren(...page.results.map((s) => node("option", {
    value: s.name, label: [s.description, s.aliases.join(", ")].filter(Boolean).join(" · ") || s.kind}))); 
}

const knownSpeaker = (name) => state.speakers.get(name.trim().toLowerCase()) || null;

/** The speaker whose name or alias is exactly `name` (any case), asked of the server when the
 * suggestions do not hold it: a pasted name may have more look-alikes than one page of them. */
async function findSpeaker(name) {
  if (!name.trim()) return null;
  const known = knownSpeaker(name);
  if (known) return known;
  const page = await request("GET", `/api/v1/speakers/?name_exact=${encodeURIComponent(name.trim())}&page_size=1`);
  const found = page.results[0] || null;
  if (found) state.speakers.set(name.trim().toLowerCase(), found);
  return found;
}

async function speakerFor(name, kind = "person", description = "") {
  if (!name.trim()) return null;
  // Look the name up first: a pasted name may be sent before its suggestions arrive, a form
  // restored after a reload knows no speakers yet, and a save refused earlier may have made it.
  const known = await findSpeaker(name);
  if (known) return known;
  const created = await request("POST", "/api/v1/speakers/", {body: {name: name.trim(), kind, description}});
  state.speakers.set(created.name.toLowerCase(), created);
  return created;
}

// --- The quote form ---------------------------------------------------------------------

function openQuoteForm(q = null, span = null, draft = null) {
  if (!data.can_edit) return banner("Only editors can change annotations.");
  // A draft made on an older text of the article comes back without its span (null).
  if (!draft) span = span || (q && !orphaned(q) ? {start: q.start, end: q.end} : selectionSpan());
  if (!span && !draft) return banner("Select some text in the article first, then press Quote.");
  banner("");
  state.editing = q ? q.id : "new";
  state.span = span;
  // The version the form was opened on, kept with a draft: a form restored after a reload still
  // saves with it, so a change someone made meanwhile is a conflict to resolve, not overwritten.
  state.baseEtag = draft ? draft.etag ?? null : q?.etag ?? null;
  const form = $("quote-form");
  form.hidden = false;
  $("quote-form-title").textContent = q ? "Edit quote" : "New quote";
  $("quote-excerpt").textContent = span ? short(slice(span.start, span.end), 300)
    : "The article text changed: select the quote's words again and press “Use selection as span”.";
  // A speaker only mentioned in the text ("He", "A senior Taliban member") shows as that mention;
  // saving it unchanged keeps the quote as it is, it does not make a speaker named "He".
  state.mention = q && !q.speaker && q.speaker_start != null && !orphaned(q) ? slice(q.speaker_start, q.speaker_end) : null;
  $("speaker").value = draft?.speaker ?? (q?.speaker ? q.speaker.name : state.mention ?? "");
  if (q?.speaker) state.speakers.set(q.speaker.name.toLowerCase(), q.speaker);
  $("quote-kind").value = draft?.kind ?? q?.kind ?? "direct";
  $("quote-cue").value = draft?.cue ?? q?.cue ?? "";
  const chosen = new Set(draft?.tags ?? q?.tags ?? []);
  $("quote-tags").replaceChildren(...state.tags.map((t) => node("option", {value: t.slug, text: t.name, selected: chosen.has(t.slug)})));
  $("btn-delete").hidden = !q;
  updateNewSpeaker();
  // A form restored after a reload knows no speakers yet: ask before calling the name new.
  const typed = $("speaker").value;
  if (typed.trim() && !knownSpeaker(typed) && !isMention(typed)) findSpeaker(typed).then(updateNewSpeaker, () => {});
  $("speaker").focus();
  saveDraft();
}

function formValues() {
  return {editing: state.editing, span: state.span, revision: article.revision, etag: state.baseEtag,
          speaker: $("speaker").value, kind: $("quote-kind").value,
          cue: $("quote-cue").value, tags: [...$("quote-tags").selectedOptions].map((o) => o.value),
          speakerKind: $("speaker-kind").value, speakerDescription: $("speaker-description").value};
}

// An unsaved form survives a reload or a crash of the tab: it is kept until saved or cancelled.
function saveDraft() { if (state.editing) sessionStorage.setItem(draftKey, JSON.stringify(formValues())); }
function closeQuoteForm() {
  if (!$("quote-form").hidden) banner("");  // a message about the form goes with it
  $("quote-form").hidden = true; state.editing = null; sessionStorage.removeItem(draftKey);
}
function closeEndorseForm() {
  if (!$("endorse-form").hidden) banner("");
  $("endorse-form").hidden = true;
}

const isMention = (value) => state.mention !== null && state.editing !== "new" && value.trim() === state.mention.trim();

function updateNewSpeaker() {
  const value = $("speaker").value.trim();
  $("new-speaker").hidden = !value || !!knownSpeaker(value) || isMention(value);
}

async function saveQuote(event) {
  event.preventDefault();
  const v = formValues();
  if (!v.span) return banner("Select the quote's words in the article and press “Use selection as span” first.");
  const existing = v.editing === "new" ? null : quoteById(v.editing);
  try {
    const mention = existing && isMention(v.speaker);
    const speaker = mention ? null : await speakerFor(v.speaker, v.speakerKind, v.speakerDescription);
    const payload = {start: v.span.start, end: v.span.end, text: slice(v.span.start, v.span.end),
                     kind: v.kind, cue: v.cue, tags: v.tags};
    if (!mention) payload.speaker_id = speaker ? speaker.id : null;
    const saved = existing
      ? await request("PATCH", `/api/v1/quotes/${existing.id}/`, {body: payload, etag: v.etag ?? existing.etag})
      : await request("POST", "/api/v1/quotes/", {body: {...payload, article_id: article.id}});
    replaceQuote(saved);
    closeQuoteForm();
    banner("Saved.", "info");
    select(saved.id);
  } catch (err) {
    // The form stays open with what the editor typed: nothing is lost.
    if (err.status === 412 && err.body?.current) {
      // One clear choice, never a silent overwrite: keep theirs, or send mine with their ETag.
      banner(`Not saved. ${explainConflict(existing, err)} Your changes are still in the form.`);
      replaceQuote(err.body.current);
      state.baseEtag = err.body.current.etag;  // seen now: "Overwrite with mine" is a choice made on it
      saveDraft();
      $("banner").append(" ",
        node("button", {type: "button", text: "Keep theirs", onclick: () => {
          const id = existing.id;
          closeQuoteForm();
          banner("Kept their version; yours is discarded.", "info");
          select(id);
        }}), " ",
        node("button", {type: "button", text: "Overwrite with mine", onclick: () => $("quote-form").requestSubmit()}));
      render();
    } else failed("Not saved", err, "Your form is kept: it comes back after the reload.");
  }
}

async function deleteQuote() {
  const q = quoteById(state.editing);
  if (!q || !confirm("Delete this quote?")) return;
  try {
    await request("DELETE", `/api/v1/quotes/${q.id}/`, {etag: q.etag});
    if (q.origin === "engine") replaceQuote({...q, status: "rejected"});
    else state.quotes = state.quotes.filter((x) => x.id !== q.id);
    closeQuoteForm();
    await reloadQuotes();
    render();
  } catch (err) { failed("Not deleted", err); }
}

// --- The endorsement form ---------------------------------------------------------------

const endorsementLabel = (e) => `${e.endorser.name} ${e.polarity} ${e.target ? e.target.name : e.target_text}`;

// `q` (or the current quote, or the selection) for a new endorsement; `existing` to edit one.
function openEndorseForm(q = null, existing = null) {
  if (!data.can_edit) return;
  let span;
  if (existing) {
    span = existing.start !== null && existing.anchor !== "orphaned" ? {start: existing.start, end: existing.end} : null;
    state.endorse = {span, evidence: existing.evidence_id, editing: existing};
    for (const party of [existing.endorser, existing.target]) if (party) state.speakers.set(party.name.toLowerCase(), party);
  } else {
    q = q || (state.current ? quoteById(state.current) : null);
    span = selectionSpan() || (q ? {start: q.start, end: q.end} : null);
    if (!span) return banner("Select some text or a quote first, then press Endorsement.");
    state.endorse = {span, evidence: q && q.start === span.start && q.end === span.end ? q.id : null, editing: null};
  }
  $("endorse-form").hidden = false;
  $("endorse-form-title").textContent = existing ? "Edit endorsement" : "Endorsement";
  $("endorse-excerpt").textContent = span ? short(slice(span.start, span.end), 300) : short(existing?.text || "", 300);
  $("endorser").value = existing ? existing.endorser.name : (q?.speaker ? q.speaker.name : "");
  if (q?.speaker) state.speakers.set(q.speaker.name.toLowerCase(), q.speaker);
  $("polarity").value = existing ? existing.polarity : "supports";
  $("target").value = existing ? (existing.target ? existing.target.name : existing.target_text) : "";
  // Each candidate once, never a rejected one, never the endorsement itself.
  const seen = new Set();
  const candidates = state.endorsements.filter((e) => e.status !== "rejected" && e.id !== existing?.id
                                                      && !seen.has(e.id) && seen.add(e.id));
  $("responds-to").replaceChildren(node("option", {value: "", text: "—"}),
    ...candidates.map((e) => node("option", {value: e.id, text: endorsementLabel(e)})));
  $("responds-to").value = existing?.responds_to && candidates.some((e) => e.id === existing.responds_to)
    ? String(existing.responds_to) : "";
  const quotes = state.quotes.filter((x) => x.status !== "rejected" || x.id === state.endorse.evidence);
  $("evidence").replaceChildren(node("option", {value: "", text: "—"}),
    ...quotes.map((x) => node("option", {value: x.id, text: `${x.speaker ? x.speaker.name + ": " : ""}${short(x.text, 60)}`})));
  $("evidence").value = state.endorse.evidence ? String(state.endorse.evidence) : "";
  $("endorser").focus();
}

function duplicateOf(fields, editing) {
  const text = fields.target_text.trim().toLowerCase();
  return state.endorsements.find((e) => e.id !== editing?.id && e.status !== "rejected"
    && e.endorser.id === fields.endorser_id && e.polarity === fields.polarity
    && (fields.target_id ? e.target?.id === fields.target_id : !e.target && e.target_text.trim().toLowerCase() === text));
}

async function saveEndorsement(event) {
  event.preventDefault();
  try {
    const endorser = await speakerFor($("endorser").value);
    if (!endorser) return banner("Name the endorser.");
    const typed = $("target").value;
    const target = await findSpeaker(typed);
    const {span, editing} = state.endorse;
    const fields = {
      endorser_id: endorser.id, polarity: $("polarity").value,
      target_id: target ? target.id : null, target_text: target ? "" : typed.trim(),
      evidence_id: $("evidence").value ? Number($("evidence").value) : null,
      responds_to: $("responds-to").value ? Number($("responds-to").value) : null};
    const twin = duplicateOf(fields, editing);
    if (twin && !window.confirm(`This article already has “${endorsementLabel(twin)}”. Save another one anyway?`)) return;
    let saved;
    if (editing) {
      saved = await request("PATCH", `/api/v1/endorsements/${editing.id}/`, {body: fields, etag: editing.etag});
      state.endorsements = state.endorsements.map((x) => (x.id === saved.id ? saved : x));
    } else {
      saved = await request("POST", "/api/v1/endorsements/", {body: {
        article_id: article.id, ...fields, start: span.start, end: span.end, text: slice(span.start, span.end)}});
      state.endorsements.push(saved);
    }
    closeEndorseForm();
    banner("Endorsement saved.", "info");
    renderPanel();
  } catch (err) { failed("Not saved", err); }
}

// --- Wiring -----------------------------------------------------------------------------

// The text can be selected with the keyboard (it is contenteditable) but never changed.
for (const type of ["beforeinput", "paste", "drop", "cut"]) bodyEl.addEventListener(type, (e) => e.preventDefault());
bodyEl.addEventListener("click", (e) => {
  const mark = e.target.closest?.(".hl");
  if (mark && window.getSelection().isCollapsed) {
    const ids = mark.dataset.ids.split(" ").map(Number);
    const i = ids.indexOf(state.current);
    select(ids[(i + 1) % ids.length], "body");  // clicking again cycles through nested quotes
  }
});

document.addEventListener("keydown", (e) => {
  // A modal dialog keeps the focus: Tab stays on its one button (Close).
  if (e.key === "Tab" && !$("shortcuts").hidden) { e.preventDefault(); return $("btn-shortcuts-close").focus(); }
  const typing = e.target.closest?.("input, select, textarea");
  if (e.key === "Escape") {
    if (!$("shortcuts").hidden) return closeShortcuts();
    closeQuoteForm(); closeEndorseForm(); return;
  }
  if (typing) return;
  if (!$("shortcuts").hidden && e.key !== "?") return;  // no key acts behind the overlay
  // Ctrl+Z (Cmd+Z) outside a field undoes the last review step, as u does.
  if ((e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && e.key.toLowerCase() === "z") {
    if (data.can_edit) { e.preventDefault(); undo(); }
    return;
  }
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  if (e.key === "?") { e.preventDefault(); return $("shortcuts").hidden ? openShortcuts() : closeShortcuts(); }
  const actions = {
    j: () => move(1), k: () => move(-1), q: () => openQuoteForm(),
    a: () => state.current && review(quoteById(state.current), "accept"),
    r: () => state.current && review(quoteById(state.current), "reject"),
    u: () => undo(),
    e: () => openEndorseForm(),
  };
  if (actions[e.key] && (data.can_edit || e.key === "j" || e.key === "k")) {
    e.preventDefault();
    actions[e.key]();
  }
});

$("btn-quote").addEventListener("mousedown", (e) => e.preventDefault());  // keep the selection
$("btn-quote").addEventListener("click", () => openQuoteForm());
$("btn-endorse").addEventListener("mousedown", (e) => e.preventDefault());
$("btn-endorse").addEventListener("click", () => openEndorseForm());
$("btn-extend").addEventListener("mousedown", (e) => e.preventDefault());
$("btn-extend").addEventListener("click", () => {
  const span = selectionSpan();
  if (!span) return banner("Select the new boundaries in the article first.");
  state.span = span;
  $("quote-excerpt").textContent = short(slice(span.start, span.end), 300);
  saveDraft();
});
$("btn-accept-all").addEventListener("click", acceptAll);
$("threshold").addEventListener("input", renderPanel);
$("btn-done").addEventListener("click", markDone);
$("btn-reopen").addEventListener("click", () => reopen().then(() => banner("Reopened: the article needs review again.", "info"),
                                                            (err) => failed("Not reopened", err)));
$("btn-undo").addEventListener("click", undo);
$("btn-shortcuts-close").addEventListener("click", closeShortcuts);
$("shortcuts").addEventListener("click", (e) => { if (e.target === $("shortcuts")) closeShortcuts(); });
$("show-rejected").addEventListener("change", (e) => { state.showRejected = e.target.checked; render(); });
$("quote-form").addEventListener("submit", saveQuote);
$("quote-form").addEventListener("input", saveDraft);
$("btn-cancel").addEventListener("click", closeQuoteForm);
$("btn-delete").addEventListener("click", deleteQuote);
$("speaker").addEventListener("input", (e) => { updateNewSpeaker(); suggestSpeakers(e.target.value).then(updateNewSpeaker); });
for (const id of ["endorser", "target"]) $(id).addEventListener("input", (e) => suggestSpeakers(e.target.value));
$("endorse-form").addEventListener("submit", saveEndorsement);
$("btn-endorse-cancel").addEventListener("click", closeEndorseForm);
// Viewers only read: no editing control, no hint of keys that do nothing for them.
if (!data.can_edit) {
  for (const id of ["btn-quote", "btn-endorse", "threshold-label", "btn-accept-all", "show-rejected-label",
                    "btn-done", "btn-reopen", "key-hints"]) $(id).hidden = true;
  for (const el of document.querySelectorAll("#shortcuts .edit-only")) el.hidden = true;
  $("viewer-hints").hidden = false;
}
showReviewState();
if (data.can_edit && article.review === "done") showNextArticle();

render();
const draft = JSON.parse(sessionStorage.getItem(draftKey) || "null");
if (draft && draft.editing) {
  const q = draft.editing === "new" ? null : quoteById(draft.editing);
  // A span into an older text of the article would mark other words: what was typed comes
  // back, and the editor selects the words again in the new text.
  const sameText = draft.revision === undefined || draft.revision === article.revision;
  openQuoteForm(q, sameText ? draft.span : null, draft);
  banner(sameText ? "Restored the quote you had not saved yet."
    : "Restored the quote you had not saved yet. The article text changed since: select its words again.", "info");
}
// Links from the quote search and the speaker pages open the article at one quote.
// A rejected one is shown with the others rejected: the link is there to show it.
const linked = /^#quote-(\d+)$/.exec(window.location.hash);
const linkedQuote = linked && !(draft && draft.editing) ? quoteById(Number(linked[1])) : null;
if (linkedQuote) {
  if (!shown(linkedQuote)) { state.showRejected = $("show-rejected").checked = true; }
  if (orphaned(linkedQuote)) {
    // Never highlighted in the text: the link shows it in the list of annotations that lost their place.
    render();
    const item = $("orphan-list").querySelector(`li[data-kind="quotes"][data-id="${linkedQuote.id}"]`);
    item.classList.add("current");
    item.scrollIntoView({block: "center"});
  } else select(linkedQuote.id);
}
window.newsdeskEditorReady = true;
