// The query page: pick an example, run it with the SPARQL protocol, show the rows.
"use strict";

const ACCEPT = "application/sparql-results+json, text/turtle;q=0.9";
const $ = (id) => document.getElementById(id);
let examples = [];

function status(text, error) {
  $("status").textContent = text;
  $("status").className = error ? "error" : "";
}

function cell(binding) {
  const td = document.createElement("td");
  if (!binding) return td;
  if (binding.type === "uri") {
    const a = document.createElement("a");
    const base = "https://w3id.org/il2kg/resource/";
    a.href = binding.value.startsWith(base) ? "/resource/" + binding.value.slice(base.length) : binding.value;
    a.textContent = binding.value;
    td.appendChild(a);
  } else {
    td.textContent = binding.value;
  }
  return td;
}

function table(json) {
  const t = document.createElement("table");
  const head = t.insertRow();
  for (const v of json.head.vars) {
    const th = document.createElement("th");
    th.textContent = v;
    head.appendChild(th);
  }
  for (const row of json.results.bindings) {
    const tr = t.insertRow();
    for (const v of json.head.vars) tr.appendChild(cell(row[v]));
  }
  return t;
}

async function run() {
  $("results").textContent = "";
  status("running…");
  const started = performance.now();
  try {
    const response = await fetch("/sparql", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: ACCEPT },
      body: new URLSearchParams({ query: $("query").value }),
    });
    const type = response.headers.get("Content-Type") || "";
    const text = await response.text();
    if (!response.ok) return status(`error ${response.status}: ${text}`, true);
    const ms = Math.round(performance.now() - started);
    if (type.includes("sparql-results+json")) {
      const json = JSON.parse(text);
      if ("boolean" in json) {
        $("results").textContent = String(json.boolean);
        return status(`answer in ${ms} ms`);
      }
      $("results").appendChild(table(json));
      return status(`${json.results.bindings.length} rows in ${ms} ms`);
    }
    const pre = document.createElement("pre");
    pre.textContent = text;
    $("results").appendChild(pre);
    status(`graph in ${ms} ms`);
  } catch (err) {
    status(`could not reach the endpoint: ${err}`, true);
  }
}

function choose(name) {
  const example = examples.find((e) => e.name === name);
  if (!example) return;
  $("examples").value = name;
  $("query").value = example.query;
  $("summary").textContent = example.comment;
}

async function loadExamples() {
  try {
    const response = await fetch("/queries", { headers: { Accept: "application/json" } });
    examples = await response.json();
  } catch (err) {
    return status(`could not load the examples: ${err}`, true);
  }
  for (const e of examples) {
    const option = document.createElement("option");
    option.value = e.name;
    option.textContent = e.label;
    $("examples").appendChild(option);
  }
  const wanted = new URLSearchParams(location.search).get("example");
  if (wanted) choose(wanted);
  document.body.dataset.ready = "true";
}

$("examples").addEventListener("change", (event) => choose(event.target.value));
$("run").addEventListener("click", run);
loadExamples();
