// The speaker page's two writes, through the same REST API as every client: aliases and
// description (PATCH with If-Match), and merging duplicates into this speaker.
(function () {
  "use strict";
  const dataNode = document.getElementById("speaker-data");
  if (!dataNode) return;
  const data = JSON.parse(dataNode.textContent);
  const speaker = data.speaker;
  const banner = document.getElementById("desk-banner");

  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function show(kind, text) {
    banner.hidden = false;
    banner.className = "banner " + kind;
    banner.textContent = text;
  }

  function describe(status, body) {
    if (body && typeof body === "object") {
      if (body.detail) return String(body.detail);
      return Object.entries(body).map(([f, m]) => f + ": " + [].concat(m).join(" ")).join("; ");
    }
    return "The server answered " + status + ".";
  }

  async function call(method, url, body, etag) {
    const headers = {"Accept": "application/json", "X-CSRFToken": csrfToken()};
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (etag) headers["If-Match"] = etag;
    let response;
    try {
      response = await fetch(url, {method, headers, credentials: "same-origin",
                                   body: body === undefined ? undefined : JSON.stringify(body)});
    } catch (err) {
      throw new Error("The server could not be reached; nothing was saved, try again.");
    }
    const json = await response.json().catch(() => null);
    if (!response.ok) throw new Error(describe(response.status, json));
    return {json, etag: response.headers.get("ETag")};
  }

  const aliasForm = document.getElementById("alias-form");
  if (aliasForm) {
    aliasForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      const aliases = aliasForm.elements.aliases.value.split("\n").map((a) => a.trim()).filter(Boolean);
      try {
        const {json, etag} = await call("PATCH", `/api/v1/speakers/${speaker.id}/`,
          {aliases, description: aliasForm.elements.description.value.trim()}, speaker.etag);
        speaker.etag = etag;
        document.getElementById("speaker-aliases").textContent = json.aliases.join(", ") || "—";
        document.getElementById("speaker-description").textContent = json.description;
        aliasForm.elements.aliases.value = json.aliases.join("\n");
        aliasForm.closest("details").open = false;
        show("info", "Saved.");
      } catch (err) {
        show("error", err.message);
      }
    });
  }

  const search = document.getElementById("merge-search");
  if (!search) return;
  const list = document.getElementById("merge-candidates");
  const mergeForm = document.getElementById("merge-form");
  const submit = document.getElementById("merge-submit");
  const picked = () => [...list.querySelectorAll("input:checked")];
  list.addEventListener("change", () => { submit.disabled = picked().length === 0; });

  search.addEventListener("submit", async (event) => {
    event.preventDefault();
    const name = search.elements.name.value.trim();
    if (!name) return;
    try {
      const {json} = await call("GET", `/api/v1/speakers/?name=${encodeURIComponent(name)}&page_size=50`);
      const found = json.results.filter((s) => s.id !== speaker.id);
      list.replaceChildren(...found.map((s) => {
        const box = Object.assign(document.createElement("input"), {type: "checkbox", value: String(s.id)});
        box.dataset.name = s.name;
        const label = document.createElement("label");
        label.className = "inline";
        const extra = [s.kind, s.description, s.aliases.length ? "aka " + s.aliases.join(", ") : ""].filter(Boolean);
        label.append(box, " " + s.name + (extra.length ? " (" + extra.join("; ") + ")" : ""));
        const li = document.createElement("li");
        li.append(label);
        return li;
      }));
      if (!found.length) list.replaceChildren(Object.assign(document.createElement("li"),
        {className: "meta", textContent: "No other speaker matches."}));
      submit.disabled = true;
    } catch (err) {
      show("error", err.message);
    }
  });

  mergeForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const boxes = picked();
    if (!boxes.length) return;
    const names = boxes.map((b) => b.dataset.name).join(", ");
    if (!window.confirm(`Merge ${names} into ${speaker.name}? Their quotes and endorsements move here and they are deleted.`)) return;
    submit.disabled = true;
    try {
      const {json} = await call("POST", `/api/v1/speakers/${speaker.id}/merge/`,
                                {others: boxes.map((b) => Number(b.value))});
      show("info", `Merged: ${json.quotes} quotes, ${json.endorsements_given + json.endorsements_received} endorsements moved. Reloading…`);
      window.location.reload();
    } catch (err) {
      submit.disabled = false;
      show("error", err.message);
    }
  });
})();
