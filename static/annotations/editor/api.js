// Writes go through the same REST API that clients use, with the session and CSRF token.
// Every write of an existing item sends If-Match, so a stale write is refused (412).

function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

export class ApiError extends Error {
  constructor(status, body) {
    super(describe(status, body));
    this.status = status;
    this.body = body;
  }
}

function describe(status, body) {
  if (body && typeof body === "object") {
    if (body.detail) return String(body.detail);
    return Object.entries(body).map(([field, msgs]) => `${field}: ${[].concat(msgs).join(" ")}`).join("; ");
  }
  return `The server answered ${status}.`;
}

// Writes say which text of the article the page shows: after someone changed the text, the
// server refuses offsets into the old one (412, code "article_changed").
let articleRevision = null;
export function setArticleRevision(revision) { articleRevision = revision; }

export async function request(method, url, {body, etag} = {}) {
  const headers = {"Accept": "application/json", "X-CSRFToken": csrfToken()};
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (etag) headers["If-Match"] = etag;
  if (method !== "GET" && articleRevision !== null) headers["X-Article-Revision"] = String(articleRevision);
  let response;
  try {
    response = await fetch(url, {method, headers, credentials: "same-origin",
                                 body: body === undefined ? undefined : JSON.stringify(body)});
  } catch (err) {
    throw new ApiError(0, {detail: "The server could not be reached; nothing was lost, try again."});
  }
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = {detail: text.slice(0, 200)}; }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}
