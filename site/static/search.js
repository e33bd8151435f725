// Search page: Pagefind's Default UI (static, in the browser) and, when the
// page is served by `jipp-kb serve`, hybrid results from its /api/search.
// Progressive enhancement: without JavaScript the page links to the browse
// pages; without the API only Pagefind runs. API results are inserted as text
// and marks only (never as HTML), and links are built from the case id, not
// taken from the API.
(function () {
  "use strict";
  var app = document.getElementById("search-app");
  if (!app) return;
  var S = JSON.parse(app.getAttribute("data-strings"));
  var api = app.getAttribute("data-api");
  var caseBase = app.getAttribute("data-case-base");
  var initial = new URLSearchParams(window.location.search).get("q") || "";
  var ui = null;

  if (typeof window.PagefindUI === "function") {
    ui = new window.PagefindUI({
      element: "#pagefind",
      bundlePath: app.getAttribute("data-bundle"),
      baseUrl: app.getAttribute("data-base"),
      showSubResults: false,
      showImages: false,
      autofocus: !initial,
    });
    if (initial) ui.triggerSearch(initial);
  }

  var controls = document.getElementById("engine-controls");
  var box = document.getElementById("hybrid-box");
  var results = document.getElementById("hybrid-results");
  var list = document.getElementById("hybrid-list");
  var status = document.getElementById("hybrid-status");
  var mode = document.getElementById("hybrid-mode");
  var province = document.getElementById("hybrid-province");
  var input = null;
  var engine = "pagefind";
  var timer = 0;
  var seq = 0;

  function getJson(url) {
    return fetch(url, { headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json();
    });
  }

  function pagefindInput() {
    return document.querySelector("#pagefind .pagefind-ui__search-input, #pagefind input[type=text], #pagefind input[type=search]");
  }

  function rememberQuery(q) {
    var url = new URL(window.location.href);
    if (q) url.searchParams.set("q", q); else url.searchParams.delete("q");
    window.history.replaceState(null, "", url.toString());
  }

  function setEngine(value) {
    engine = value;
    app.classList.toggle("engine-hybrid", value === "hybrid");
    results.hidden = value !== "hybrid";
    if (value === "hybrid") run();
    else if (ui && input) ui.triggerSearch(input.value);
  }

  function schedule() {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      rememberQuery(input.value.trim());
      if (engine === "hybrid") run();
    }, 250);
  }

  function text(tag, className, value) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    node.textContent = value;
    return node;
  }

  // The API's snippet is escaped text with <mark> around matched words: keep the
  // text and the marks, drop every other element (DOMParser documents are inert).
  function snippetNodes(html) {
    var doc = new DOMParser().parseFromString("<body>" + html, "text/html");
    var out = document.createDocumentFragment();
    (function walk(node, into) {
      node.childNodes.forEach(function (n) {
        if (n.nodeType === Node.TEXT_NODE) {
          into.appendChild(document.createTextNode(n.nodeValue));
        } else if (n.nodeType === Node.ELEMENT_NODE && n.tagName !== "SCRIPT" && n.tagName !== "STYLE") {
          if (n.tagName === "MARK") {
            var mark = document.createElement("mark");
            walk(n, mark);
            into.appendChild(mark);
          } else {
            walk(n, into);
          }
        }
      });
    })(doc.body, out);
    return out;
  }

  function caseUrl(id) {
    return /^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(String(id)) ? caseBase + id + "/" : null;
  }

  function render(items) {
    list.replaceChildren();
    items = items.filter(function (r) { return r && caseUrl(r.id); });
    status.textContent = items.length ? S.count.replace("{n}", String(items.length)) : S.none;
    items.forEach(function (r) {
      var href = caseUrl(r.id);
      var li = document.createElement("li");
      li.className = "hybrid-result";
      var a = text("a", "", r.title || r.id);
      a.href = href;
      var h = document.createElement("h3");
      h.appendChild(a);
      li.appendChild(h);
      var meta = [r.region || "", typeof r.score === "number" ? S.score + " " + r.score.toFixed(3) : ""].filter(Boolean).join(" · ");
      if (meta) li.appendChild(text("p", "card-meta", meta));
      if (r.snippet) {
        var p = text("p", "card-excerpt", "");
        p.appendChild(snippetNodes(String(r.snippet)));
        li.appendChild(p);
      }
      list.appendChild(li);
    });
  }

  function run() {
    var q = input ? input.value.trim() : "";
    var mine = ++seq;
    if (!q) {
      list.replaceChildren();
      status.textContent = "";
      return;
    }
    var url = api + "?q=" + encodeURIComponent(q) + "&mode=" + encodeURIComponent(mode.value);
    if (province.value) url += "&province=" + encodeURIComponent(province.value);
    status.textContent = S.searching;
    getJson(url).then(function (data) {
      if (mine === seq) render(Array.isArray(data.results) ? data.results : []);
    }).catch(function () {
      if (mine === seq) status.textContent = S.error;
    });
  }

  function enableHybrid() {
    input = pagefindInput();
    if (!input) {
      box.hidden = false;
      input = document.getElementById("hybrid-q");
      input.value = initial;
    }
    controls.hidden = false;
    input.addEventListener("input", schedule);
    mode.addEventListener("change", run);
    province.addEventListener("change", run);
    controls.querySelectorAll("input[name=engine]").forEach(function (radio) {
      radio.addEventListener("change", function () { if (radio.checked) setEngine(radio.value); });
    });
    var noIndex = document.getElementById("no-index");
    if (noIndex) noIndex.hidden = true;
    setEngine("hybrid");
  }

  // Probe: `jipp-kb serve` answers even an empty query with JSON (an error
  // object); a static host answers with a 404 page, or nothing at all.
  fetch(api + "?q=&mode=hybrid", { headers: { Accept: "application/json" } }).then(function (r) {
    if ((r.headers.get("Content-Type") || "").indexOf("application/json") === 0) enableHybrid();
  }).catch(function () { /* static hosting: Pagefind only */ });
})();
