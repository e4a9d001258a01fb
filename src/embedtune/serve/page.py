"""The job-search web page served at ``/``: one static HTML file, no external scripts or fonts.

Results are built as DOM nodes (``textContent``), never as HTML strings, so posting text cannot
inject markup; the query's skills are wrapped in ``<mark>`` from the spans the API returns. The
filters are the ones ``/health`` lists (one exact-match field each, suggesting the values seen
in results). :data:`PAGE_CSP` allows exactly the page's one inline script and style (by hash),
requests to its own origin, and no framing.
"""

from __future__ import annotations

import base64
import hashlib

PAGE_HTML = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>embedtune job search</title>
<style>
  :root { font-family: system-ui, sans-serif; color: #1d2433; background: #f6f7fb; }
  main { max-width: 52rem; margin: 2rem auto; padding: 0 1rem; }
  h1 { font-size: 1.4rem; margin-bottom: .2rem; }
  p.sub { margin-top: 0; color: #5a6478; }
  form { display: flex; gap: .5rem; margin: 1rem 0; }
  input[type=search] { flex: 1; font-size: 1rem; padding: .6rem .8rem; border: 1px solid #b8c0d0;
    border-radius: .4rem; }
  input#k { width: 4rem; font-size: 1rem; padding: .6rem; border: 1px solid #b8c0d0;
    border-radius: .4rem; }
  button { font-size: 1rem; padding: .6rem 1.1rem; border: 0; border-radius: .4rem;
    background: #2f5bd3; color: white; cursor: pointer; }
  #key-row { margin-bottom: 1rem; }
  details#filter-box { margin: -.4rem 0 1rem; }
  details#filter-box summary { cursor: pointer; color: #2f5bd3; }
  #filters { display: flex; flex-wrap: wrap; gap: .5rem 1rem; margin-top: .5rem; }
  #filters label { display: flex; flex-direction: column; font-size: .85rem; color: #5a6478; }
  #filters input { font-size: .95rem; padding: .35rem .5rem; border: 1px solid #b8c0d0;
    border-radius: .4rem; width: 11rem; }
  #status { color: #5a6478; min-height: 1.2rem; }
  #status.error { color: #b42318; }
  ol#results { list-style: none; padding: 0; }
  li.hit { background: white; border: 1px solid #e1e5ee; border-radius: .5rem; padding: .8rem 1rem;
    margin-bottom: .7rem; }
  .hit h2 { font-size: 1.05rem; margin: 0 0 .3rem; display: flex; justify-content: space-between;
    gap: 1rem; }
  .score { font-weight: normal; color: #5a6478; font-variant-numeric: tabular-nums; }
  .snippet { margin: 0; line-height: 1.45; }
  .meta { color: #5a6478; font-size: .85rem; margin-top: .3rem; }
  mark { background: #fff1a8; padding: 0 .1em; border-radius: .15em; }
</style>
</head>
<body>
<main>
  <h1>Job search</h1>
  <p class="sub">Describe the job you want: role, years, skills, domain.</p>
  <form id="search-form">
    <input id="q" type="search" name="q" autofocus autocomplete="off"
      placeholder="data scientist 6 year experience, LLMs, credit risk" aria-label="query">
    <input id="k" type="number" min="1" max="100" value="10" aria-label="number of results">
    <button type="submit">Search</button>
  </form>
  <details id="filter-box" hidden><summary>Filters</summary><div id="filters"></div></details>
  <div id="key-row" hidden><label>API key <input id="key" type="password"></label></div>
  <div id="status" role="status"></div>
  <ol id="results"></ol>
</main>
<script>
"use strict";
const form = document.getElementById("search-form");
const statusBox = document.getElementById("status");
const results = document.getElementById("results");
const keyInput = document.getElementById("key");
const filterBox = document.getElementById("filter-box");
const filterFields = document.getElementById("filters");
keyInput.value = sessionStorage.getItem("embedtune-key") || "";

function label(field) {
  return field.replaceAll("_", " ");
}

function addFilter(field) {
  const wrap = document.createElement("label");
  const name = document.createElement("span");
  name.textContent = label(field);
  const input = document.createElement("input");
  input.type = "search";
  input.autocomplete = "off";
  input.placeholder = "any";
  input.dataset.filter = field;
  const values = document.createElement("datalist");
  values.id = "values-" + filterFields.children.length;
  input.setAttribute("list", values.id);
  wrap.append(name, input, values);
  filterFields.append(wrap);
}

async function loadFilters() {
  try {
    const response = await fetch("health");
    const body = await response.json();
    for (const field of body.filters || []) addFilter(field);
    filterBox.hidden = filterFields.children.length === 0;
  } catch (err) {
    filterBox.hidden = true;
  }
}

function chosenFilters() {
  const filters = {};
  for (const input of filterFields.querySelectorAll("input[data-filter]")) {
    const value = input.value.trim();
    if (value) filters[input.dataset.filter] = value;
  }
  return filters;
}

function rememberValues(hits) {
  for (const input of filterFields.querySelectorAll("input[data-filter]")) {
    const values = input.list;
    const known = new Set(Array.from(values.options, (o) => o.value));
    for (const hit of hits) {
      const value = (hit.metadata || {})[input.dataset.filter];
      if (value && !known.has(value) && known.size < 200) {
        known.add(value);
        const option = document.createElement("option");
        option.value = value;
        values.append(option);
      }
    }
  }
}

function marked(text, spans) {
  const frag = document.createDocumentFragment();
  let at = 0;
  for (const [a, b] of spans) {
    if (a < at) continue;
    frag.append(document.createTextNode(text.slice(at, a)));
    const m = document.createElement("mark");
    m.textContent = text.slice(a, b);
    frag.append(m);
    at = b;
  }
  frag.append(document.createTextNode(text.slice(at)));
  return frag;
}

function showHit(hit) {
  const li = document.createElement("li");
  li.className = "hit";
  li.dataset.id = hit.id;
  const h2 = document.createElement("h2");
  const title = document.createElement("span");
  title.className = "title";
  title.append(marked(hit.title || "(untitled)", hit.title_highlights));
  const score = document.createElement("span");
  score.className = "score";
  score.textContent = hit.score.toFixed(3);
  h2.append(title, score);
  const p = document.createElement("p");
  p.className = "snippet";
  p.append(marked(hit.snippet, hit.highlights));
  li.append(h2, p);
  const meta = Object.entries(hit.metadata || {}).filter(([, v]) => v).slice(0, 6);
  if (meta.length) {
    const div = document.createElement("div");
    div.className = "meta";
    div.textContent = meta.map(([k, v]) => label(k) + ": " + v).join(" · ");
    li.append(div);
  }
  return li;
}

async function search(query, k, filters) {
  const headers = {"Content-Type": "application/json"};
  if (keyInput.value) headers["X-API-Key"] = keyInput.value;
  const started = performance.now();
  const response = await fetch("search", {
    method: "POST", headers, body: JSON.stringify({query, k, filters}),
  });
  const body = await response.json().catch(() => ({detail: response.statusText}));
  if (response.status === 401) document.getElementById("key-row").hidden = false;
  if (!response.ok) throw new Error(body.detail || ("error " + response.status));
  return [body, performance.now() - started];
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const query = document.getElementById("q").value.trim();
  const k = Number(document.getElementById("k").value) || 10;
  sessionStorage.setItem("embedtune-key", keyInput.value);
  statusBox.className = "";
  if (!query) { statusBox.textContent = "Type a query first."; return; }
  statusBox.textContent = "Searching…";
  try {
    const [body, ms] = await search(query, k, chosenFilters());
    results.replaceChildren(...body.hits.map(showHit));
    rememberValues(body.hits);
    statusBox.textContent = body.hits.length + " results in " + Math.round(ms) + " ms";
  } catch (err) {
    results.replaceChildren();
    statusBox.className = "error";
    statusBox.textContent = err.message;
  }
});

loadFilters();
</script>
</body>
</html>
"""


def _between(html: str, start: str, end: str) -> str:
    return html.split(start, 1)[1].split(end, 1)[0]


def _sha256(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


def content_security_policy(html: str) -> str:
    """A CSP for ``html`` that allows its one inline ``<script>`` and ``<style>`` by their hash
    (what a browser hashes is the exact text between the tags), fetches from the same origin,
    and nothing else: no other scripts, images, fonts, forms posting elsewhere or framing."""
    return "; ".join(
        [
            "default-src 'none'",
            f"script-src 'sha256-{_sha256(_between(html, '<script>', '</script>'))}'",
            f"style-src 'sha256-{_sha256(_between(html, '<style>', '</style>'))}'",
            "connect-src 'self'",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        ]
    )


PAGE_CSP = content_security_policy(PAGE_HTML)
