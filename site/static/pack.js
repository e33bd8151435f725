// The pack page (paket/?kasus=a,b,c): a printable learning pack of the cases
// chosen on the search page, put together in the browser.
//
// Served by `jipp-kb serve` (or with api_url set at build time): the server
// makes the pack with the pack builder (/api/pack), including the questions
// across the chosen cases. Otherwise, or if the server fails or refuses, the
// page fetches each case's fragment that the build wrote
// (paket/kasus/<id>.json): the case's article of the full handout and its row
// of the comparison matrix (jipp_kb/pack/fragments.py).
//
// Case ids come from the URL: only slugs are used, at most data-max of them,
// and they only ever name a file to fetch. The articles are HTML made by the
// site's own sanitised renderer; they are parsed in an inert DOMParser
// document and copied over element by element from an allow-list, with only
// http(s), mailto and in-page links. Everything else is inserted as text.
(function () {
  "use strict";
  var app = document.getElementById("pack-app");
  if (!app) return;

  var S = JSON.parse(app.getAttribute("data-strings"));
  var fragments = app.getAttribute("data-fragments");
  var api = app.getAttribute("data-api");
  var max = parseInt(app.getAttribute("data-max"), 10) || 8;
  var lang = app.getAttribute("data-lang") || "id";
  var notes = document.getElementById("pack-notes");
  var toc = document.getElementById("pack-toc");
  var casesBox = document.getElementById("pack-cases");
  var matrixBox = document.getElementById("pack-matrix");
  var crossBox = document.getElementById("pack-cross");
  var printButton = document.getElementById("pack-print");
  var CASE_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

  function node(tag, className, text) {
    var n = document.createElement(tag);
    if (className) n.className = className;
    if (text !== undefined && text !== null) n.textContent = String(text);
    return n;
  }

  function fill(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (m, k) { return k in values ? String(values[k]) : m; });
  }

  function note(text, className) {
    notes.appendChild(node("p", "notice" + (className ? " " + className : ""), text));
  }

  function getJson(url) {
    return fetch(url, { headers: { Accept: "application/json" } }).then(function (r) {
      var json = (r.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      if (!json) return { status: r.status, data: null };
      return r.json().then(function (data) { return { status: r.status, data: data }; });
    });
  }

  // -- the article's HTML, copied from an allow-list --------------------------------------

  var TAGS = new Set([
    "ARTICLE", "SECTION", "HEADER", "H2", "H3", "H4", "H5", "H6", "P", "UL", "OL", "LI", "DL", "DT", "DD", "A", "STRONG", "EM",
    "B", "I", "CODE", "PRE", "BLOCKQUOTE", "BR", "HR", "SPAN", "SUP", "SUB", "SMALL", "ABBR", "MARK", "DEL", "S", "TABLE",
    "CAPTION", "THEAD", "TBODY", "TFOOT", "TR", "TH", "TD",
  ]);
  var DROP = new Set(["SCRIPT", "STYLE", "TEMPLATE", "IFRAME", "OBJECT", "EMBED", "SVG", "MATH", "FORM", "NOSCRIPT"]);
  var ATTRS = new Set(["id", "class", "lang", "scope", "colspan", "rowspan", "title"]);

  function safeHref(href) {
    return /^(https?:|mailto:|#)/i.test(href) ? href : null;
  }

  function copy(from, into) {
    from.childNodes.forEach(function (n) {
      if (n.nodeType === Node.TEXT_NODE) {
        into.appendChild(document.createTextNode(n.nodeValue));
      } else if (n.nodeType === Node.ELEMENT_NODE && !DROP.has(n.tagName)) {
        if (!TAGS.has(n.tagName)) {
          copy(n, into); // an element not on the list: its text only
          return;
        }
        var el = document.createElement(n.tagName.toLowerCase());
        Array.prototype.forEach.call(n.attributes, function (a) {
          if (ATTRS.has(a.name)) el.setAttribute(a.name, a.value);
          else if (a.name === "href" && n.tagName === "A" && safeHref(a.value)) el.setAttribute("href", a.value);
        });
        copy(n, el);
        into.appendChild(el);
      }
    });
  }

  function article(html) {
    var doc = new DOMParser().parseFromString("<body>" + String(html), "text/html");
    var out = document.createDocumentFragment();
    copy(doc.body, out);
    return out;
  }

  // -- the chosen cases ------------------------------------------------------------------------

  function chosenIds() {
    var raw = new URLSearchParams(window.location.search).get("kasus") || "";
    var seen = new Set();
    var ids = [];
    var bad = [];
    raw.split(",").forEach(function (part) {
      var id = part.trim();
      if (!id || seen.has(id)) return;
      seen.add(id);
      if (CASE_ID.test(id)) ids.push(id);
      else bad.push(id.slice(0, 60));
    });
    if (bad.length) note(fill(S.bad_id, { ids: bad.join(", ") }));
    if (ids.length > max) {
      note(fill(S.too_many, { max: max }));
      ids = ids.slice(0, max);
    }
    return ids;
  }

  // -- showing the pack ---------------------------------------------------------------------------

  function table(caption, rows) {
    var t = node("table", "matrix");
    var head = node("thead");
    var tr = node("tr");
    rows[0].forEach(function (cell) {
      var th = node("th", "", cell[0]);
      th.setAttribute("scope", "col");
      tr.appendChild(th);
    });
    head.appendChild(tr);
    t.appendChild(head);
    var body = node("tbody");
    rows.forEach(function (row) {
      var r = node("tr");
      row.forEach(function (cell, i) {
        var c = node(i ? "td" : "th", "", cell[1]);
        if (!i) c.setAttribute("scope", "row");
        r.appendChild(c);
      });
      body.appendChild(r);
    });
    t.appendChild(body);
    var out = document.createDocumentFragment();
    var wrap = node("div", "table-scroll");
    out.appendChild(node("h3", "", caption));
    wrap.appendChild(t);
    out.appendChild(wrap);
    return out;
  }

  function valid(fragment, id) {
    return fragment && fragment.id === id && typeof fragment.html === "string" && fragment.matrix &&
      Array.isArray(fragment.matrix.profile) && Array.isArray(fragment.matrix.resources) && fragment.headings;
  }

  function show(cases, cross) {
    var total = cases.length;
    var list = toc.querySelector("ol");
    cases.forEach(function (f, i) {
      var li = node("li");
      var a = node("a", "", f.title || f.id);
      a.href = "#kasus-" + f.id;
      li.appendChild(a);
      if (f.region) li.appendChild(node("span", "toc-region", " · " + f.region));
      list.appendChild(li);
      var part = article(f.html);
      casesBox.appendChild(part);
      var added = casesBox.lastElementChild;
      var number = added && added.querySelector(".case-no");
      if (number) number.textContent = fill(f.headings.case_of, { n: i + 1, total: total });
    });
    toc.hidden = false;
    var h = cases[0].headings;
    matrixBox.appendChild(node("h2", "", h.title));
    matrixBox.appendChild(node("p", "intro", h.intro));
    matrixBox.appendChild(table(h.profile, cases.map(function (f) { return f.matrix.profile; })));
    matrixBox.appendChild(table(h.resources_title, cases.map(function (f) { return f.matrix.resources; })));
    matrixBox.id = "matriks";
    matrixBox.hidden = false;
    if (cross && Array.isArray(cross.questions) && cross.questions.length) {
      crossBox.appendChild(node("h2", "", cross.title));
      crossBox.appendChild(node("p", "intro", cross.intro));
      var ol = node("ol");
      cross.questions.forEach(function (q) {
        var li = node("li", "", q.text);
        if (Array.isArray(q.items) && q.items.length) {
          var ul = node("ul");
          q.items.forEach(function (item) { ul.appendChild(node("li", "", item)); });
          li.appendChild(ul);
        }
        ol.appendChild(li);
      });
      crossBox.appendChild(ol);
      crossBox.hidden = false;
    }
    printButton.hidden = false;
  }

  function fromServer(ids) {
    if (!api) return Promise.reject(new Error("no API"));
    var url = api + "?cases=" + ids.join(",") + "&lang=" + encodeURIComponent(lang);
    return getJson(url).then(function (r) {
      var d = r.data;
      if (r.status !== 200 || !d || !Array.isArray(d.cases) || d.cases.length !== ids.length) throw new Error("API " + r.status);
      if (!d.cases.every(function (f, i) { return valid(f, ids[i]); })) throw new Error("API answer");
      return d;
    });
  }

  function fromFragments(ids) {
    return Promise.all(ids.map(function (id) {
      return getJson(fragments + id + ".json").then(function (r) {
        if (r.status === 200 && valid(r.data, id)) return { id: id, fragment: r.data };
        return { id: id, missing: r.status === 404 || r.status === 200 };
      }, function () { return { id: id, missing: false }; });
    })).then(function (got) {
      var missing = got.filter(function (g) { return g.missing; }).map(function (g) { return g.id; });
      var failed = got.some(function (g) { return !g.fragment && !g.missing; });
      if (missing.length) note(fill(S.not_found, { ids: missing.join(", ") }), "pack-missing");
      if (failed) note(S.failed);
      return { cases: got.filter(function (g) { return g.fragment; }).map(function (g) { return g.fragment; }), cross: null };
    });
  }

  function done(state) {
    app.setAttribute("data-state", state);
  }

  printButton.addEventListener("click", function () { window.print(); });

  var ids = chosenIds();
  if (!ids.length) {
    note(S.none);
    done("empty");
    return;
  }
  var loading = node("p", "pack-loading", S.loading);
  notes.appendChild(loading);
  fromServer(ids).then(function (d) {
    note(S.served, "pack-served");
    return d;
  }).catch(function () {
    return fromFragments(ids);
  }).then(function (d) {
    loading.remove();
    if (d.cases.length) show(d.cases, d.cross);
    done(d.cases.length ? "done" : "empty");
  });
})();
