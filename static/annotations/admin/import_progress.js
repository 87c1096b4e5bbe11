// Live progress of an import batch, from its JSON, until it ends.
(function () {
  const root = document.getElementById("import-progress");
  function cell(text) { const td = document.createElement("td"); td.textContent = text; return td; }
  async function tick() {
    const state = await (await fetch(root.dataset.url, {credentials: "same-origin"})).json();
    const bar = document.getElementById("bar");
    bar.max = Math.max(state.total, 1); bar.value = state.processed;
    const left = state.seconds_left == null ? "" : `, about ${state.seconds_left} s left`;
    document.getElementById("summary").textContent =
      `${state.status}: ${state.processed} of about ${state.total} rows, ${state.rows_per_s} rows/s${left}`;
    for (const key of ["created", "duplicates", "failed"]) document.getElementById(key).textContent = state[key];
    const body = document.getElementById("errors");
    body.replaceChildren(...state.errors.map(e => { const tr = document.createElement("tr");
      tr.append(cell(e.file), cell(e.line), cell(e.reason)); return tr; }));
    if (state.status === "pending" || state.status === "running") setTimeout(tick, 1000);
  }
  tick();
})();
