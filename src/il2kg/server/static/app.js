// The query page: YASGUI (bundled, offline) over this endpoint, with the published prefixes,
// the example queries one click away, the query in the URL, and result IRIs shown as full
// IRIs or prefixed names that are valid SPARQL, linked to their pages.
"use strict";

const RESOURCE = "https://w3id.org/il2kg/resource/";
// A local name valid in a SPARQL prefixed name without escapes (a subset of PN_LOCAL).
const LOCAL_NAME = /^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_-])?$/;
const DEFAULT_QUERY = `PREFIX il2kg: <https://w3id.org/il2kg/ontology/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?publication ?label WHERE { ?publication a il2kg:Publication ; rdfs:label ?label }`;
let published = {};

async function getJson(url) {
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return response.json();
}

// The IRI as a prefixed name where one fits with a valid local name, else as <IRI>.
function pasteable(iri, prefixes) {
  const namespaces = Object.entries(prefixes).sort((a, b) => b[1].length - a[1].length);
  for (const [prefix, namespace] of namespaces) {
    const local = iri.slice(namespace.length);
    if (iri.startsWith(namespace) && LOCAL_NAME.test(local)) return `${prefix}:${local}`;
  }
  return `<${iri}>`;
}

// Where an IRI is browsed: this graph's resources on this server, others at their address.
function browsable(iri) {
  return iri.startsWith(RESOURCE) ? `/resource/${iri.slice(RESOURCE.length)}` : iri;
}

// A literal as its plain value (17, not "17"^^xsd:integer); its datatype or language shows
// on hover.
function renderLiteral(binding) {
  const value = document.createElement("span");
  value.textContent = binding.value;
  const kind = binding["xml:lang"] ? `language: ${binding["xml:lang"]}` : binding.datatype;
  if (kind) value.title = kind;
  return value.outerHTML;
}

function renderIri(binding, prefixes) {
  const link = document.createElement("a");
  link.className = "iri";
  link.href = browsable(binding.value);
  link.textContent = pasteable(binding.value, { ...published, ...(prefixes || {}) });
  return link.outerHTML;
}

function remember(query) {
  const url = new URL(location.href);
  url.search = new URLSearchParams({ query }).toString();
  url.hash = "";
  history.replaceState(null, "", url);
}

function showExamples(yasgui, examples) {
  const list = document.getElementById("examples");
  for (const example of examples) {
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.example = example.name;
    button.title = example.comment;
    button.textContent = example.label;
    button.addEventListener("click", () => run(yasgui, example.query, button));
    const item = document.createElement("li");
    item.appendChild(button);
    list.appendChild(item);
  }
}

function run(yasgui, query, button) {
  for (const other of document.querySelectorAll("#example-list button")) {
    other.removeAttribute("aria-current");
  }
  if (button) button.setAttribute("aria-current", "true");
  const tab = yasgui.getTab();
  tab.setQuery(query);
  tab.query();
}

async function start() {
  const [prefixes, examples] = await Promise.all([getJson("/prefixes"), getJson("/queries")]);
  published = prefixes;
  const table = Yasgui.Yasr.plugins.table.prototype;
  table.getUriLinkFromBinding = renderIri;
  table.formatLiteral = renderLiteral;
  // Whole cells unless the reader asks for the ellipsis; a row-number column that fits.
  const draw = table.draw;
  table.draw = function drawWhole(config) {
    return draw.call(this, { isEllipsed: false, ...this.persistentConfig, ...config });
  };
  table.getSizeFirstColumn = function rowNumberWidth() {
    return String(this.yasr.results?.getBindings()?.length || 0).length * 9 + 20;
  };
  // Complete only variables and the published prefixes (no lookups on other servers).
  Yasgui.Yasqe.defaults.autocompleters = ["prefixes", "variables"];
  const endpoint = `${location.origin}/sparql`;
  const params = new URLSearchParams(location.search);
  const wanted = examples.find((e) => e.name === params.get("example"));
  const yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint, method: "POST" },
    endpointCatalogueOptions: { getData: () => [{ endpoint }], keys: [] },
    copyEndpointOnNewTab: true,
    persistenceId: null,
    populateFromUrl: true,
    yasqe: { value: wanted ? wanted.query : DEFAULT_QUERY, prefixCcApi: "/prefixes" },
  });
  yasgui.on("query", (_, tab) => remember(tab.getQuery()));
  showExamples(yasgui, examples);
  if (wanted) {  // /?example=NAME opens the example and runs it, as its button does
    const buttons = Array.from(document.querySelectorAll("#example-list button"));
    run(yasgui, wanted.query, buttons.find((b) => b.dataset.example === wanted.name));
  }
  document.body.dataset.ready = "true";
}

start().catch((error) => {
  document.getElementById("yasgui").textContent = `could not start the query page: ${error}`;
});
