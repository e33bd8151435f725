// The search page: one interface over two engines.
//
// Static hosting: Pagefind's JS API searches the index in the browser. Pagefind
// alone requires every word of a query, so here each content word (stop words
// dropped) and each glossary entry the query names (with all its forms:
// antrean/antrian/antre, keluhan/pengaduan) is searched on its own, and cases
// are ranked by how many of the query's words they match, then by Pagefind's
// score. A word no case contains is corrected to a close glossary, filter or
// corpus word ("did you mean"). The word lists come from search-terms.json,
// written at build time (jipp_kb/render/search_terms.py).
//
// Served by `jipp-kb serve` (or with api_url set at build time): the same page
// shows the server's results, with the same filters; if the server fails,
// Pagefind answers instead.
//
// Everything from the index or the server is inserted as text; of an excerpt
// only the text and its <mark> elements are kept. Links are built from the
// case id. Without JavaScript the page links to the browse pages.
//
// "Buat paket belajar": each result has a checkbox; the link opens the pack page
// (paket/?kasus=a,b,c, site/static/pack.js) for the chosen cases, or for the top
// results when none is chosen, at most data-pack-max of them.
(function () {
  "use strict";
  var app = document.getElementById("search-app");
  if (!app) return;

  var S = JSON.parse(app.getAttribute("data-strings"));
  var bundles = JSON.parse(app.getAttribute("data-bundles") || "[]");
  var api = app.getAttribute("data-api");
  var caseBase = app.getAttribute("data-case-base");
  var searchPage = app.getAttribute("data-search-page");
  var form = app.querySelector("form");
  var input = document.getElementById("search-q");
  var filterBox = document.getElementById("search-filters");
  var selects = Array.prototype.slice.call(filterBox.querySelectorAll("select"));
  var notes = document.getElementById("search-notes");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var more = document.getElementById("search-more");
  var help = document.getElementById("search-help");
  var packPage = app.getAttribute("data-pack-page");
  var packMax = parseInt(app.getAttribute("data-pack-max"), 10) || 8;
  var packBar = document.getElementById("search-pack");

  var PAGE = 20;
  var EXCERPT = 24; // words in a result's excerpt
  var MIN_WORD = 4; // shorter words are never corrected (search_terms.py lists no shorter ones)
  // Ranking settings, chosen on the judged queries of the tune split (docs/search.md, "Site search").
  var SCORE_WEIGHT = 1; // Pagefind's score (relative to the best case for that word) against "this word matched"
  var PHRASE_WEIGHT = 1; // added for each pair of neighbouring query words a case has side by side
  var PAGE_LENGTH = 0; // Pagefind's length normalisation: none, short profiles and long case studies compete evenly
  // Pagefind also matches the words a searched word begins (antar: antara, antarmuka; desa: desain),
  // and for a word it lacks, the longest word that begins it (a glossary form no case uses, such as
  // "perijinan"). These count for almost nothing at this similarity weight (the word itself ranks
  // 25 times higher than one a letter longer), and a case found only through them is dropped (EXTENSION).
  var TERM_SIMILARITY = 12;
  var EXTENSION = 0.05; // below this share of the concept's best score (any form), a case matched only another word
  var FLOOR = 0.2; // a case scoring below this share of the best case is not shown (only trims the long tail)
  // A glossary form of several words (puskesmas: "pusat kesehatan masyarakat") counts where its words
  // stand together, give or take this many others, not scattered over the page.
  var NEAR = 2;
  var PREFERENCE = 1; // added, as a share of the best case's score, for each preference the query states (urusan, place, replication)

  var terms = null; // {stopwords, groups: [[form, ...]], first: word -> [{words, group}], preferred, words, known, understand}
  var pagefind = null; // the language's Pagefind bundles (one module each), once loaded
  var useApi = false;
  var seq = 0;
  var timer = 0;
  var shown = [];
  var rendered = 0;
  var infer = true;

  // -- small helpers -------------------------------------------------------------------

  function node(tag, className, text) {
    var n = document.createElement(tag);
    if (className) n.className = className;
    if (text !== undefined && text !== null) n.textContent = String(text);
    return n;
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (m, k) { return k in values ? String(values[k]) : m; });
  }

  function getJson(url) {
    return fetch(url, { headers: { Accept: "application/json" } }).then(function (r) {
      var json = (r.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      if (!json) throw new Error("not JSON");
      return r.json().then(function (data) { return { status: r.status, data: data }; });
    });
  }

  // Excerpts and snippets are HTML with <mark> around matched words: keep the text
  // and the marks, drop every other element (a DOMParser document is inert).
  function markedText(html) {
    var doc = new DOMParser().parseFromString("<body>" + html, "text/html");
    var out = document.createDocumentFragment();
    (function walk(from, into) {
      from.childNodes.forEach(function (n) {
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

  // -- words, stop words and the glossary ---------------------------------------------

  // Words as the keyword engine splits them: letters and digits; a reduplication
  // (anak-anak) is its base, other hyphenated words (KTP-el) are split.
  function words(text, keepStops) {
    var out = [];
    (text.toLowerCase().match(/[\p{L}\p{N}]+(?:[-‐][\p{L}\p{N}]+)*/gu) || []).forEach(function (w) {
      var parts = w.split(/[-‐]/);
      if (parts.length === 2 && parts[0] === parts[1]) parts = [parts[0]];
      parts.forEach(function (p) {
        if (p.length > 1 && (keepStops || !terms || !terms.stopwords.has(p))) out.push(p);
      });
    });
    return out;
  }

  function loadTerms() {
    return fetch(app.getAttribute("data-terms")).then(function (r) { return r.json(); }).then(function (data) {
      terms = { stopwords: new Set(data.stopwords), groups: data.groups, first: new Map(), preferred: new Set(), words: data.words, understand: data.understand };
      // The English page's cases hold their English summaries too: their function words are dropped
      // ("home visits for the elderly"), and their other words are words, not typos.
      var english = document.documentElement.lang === "en";
      if (english) data.english_stopwords.forEach(function (w) { terms.stopwords.add(w); });
      data.groups.forEach(function (forms, g) {
        forms.forEach(function (form) {
          var ws = words(form);
          if (!ws.length) return;
          if (!terms.first.has(ws[0])) terms.first.set(ws[0], []);
          terms.first.get(ws[0]).push({ words: ws, group: g });
          ws.forEach(function (w) { terms.preferred.add(w); });
        });
      });
      selects.forEach(function (select) {
        Array.prototype.forEach.call(select.options, function (o) {
          words(o.getAttribute("data-label") || "").forEach(function (w) { terms.preferred.add(w); });
        });
      });
      terms.known = new Set(english ? data.words.concat(data.english) : data.words);
      // What a word cut short completes to: on the English page an English word first ("pati": "patient").
      terms.completions = english ? data.english.concat(data.words) : data.words;
      terms.preferred.forEach(function (w) { terms.known.add(w); });
    }).catch(function () {
      terms = { stopwords: new Set(), groups: [], first: new Map(), preferred: new Set(), words: [], known: new Set(), completions: [] };
    });
  }

  // The query's concepts: each glossary phrase it contains (longest first) with all
  // the entry's forms, and each other word on its own.
  function concepts(ws) {
    var out = [];
    var i = 0;
    while (i < ws.length) {
      var best = null;
      (terms.first.get(ws[i]) || []).forEach(function (entry) {
        var n = entry.words.length;
        if (ws.slice(i, i + n).join(" ") === entry.words.join(" ") && (!best || n > best.n)) best = { n: n, groups: [] };
      });
      if (best) {
        var phrase = ws.slice(i, i + best.n).join(" ");
        var forms = [phrase];
        (terms.first.get(ws[i]) || []).forEach(function (entry) {
          if (entry.words.join(" ") !== phrase) return;
          terms.groups[entry.group].forEach(function (form) {
            var f = words(form).join(" ");
            if (f && forms.indexOf(f) < 0) forms.push(f);
          });
        });
        out.push({ label: phrase, forms: forms });
        i += best.n;
      } else {
        out.push({ label: ws[i], forms: [ws[i]] });
        i += 1;
      }
    }
    return out;
  }

  function distance(a, b) {
    if (Math.abs(a.length - b.length) > 2) return 3;
    var prev = [];
    for (var j = 0; j <= b.length; j++) prev.push(j);
    for (var i = 1; i <= a.length; i++) {
      var cur = [i];
      for (j = 1; j <= b.length; j++) {
        cur.push(Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1)));
      }
      prev = cur;
    }
    return prev[b.length];
  }

  // A word neither the cases, the glossary nor the filters contain (too short or
  // with digits: left alone).
  function unknownWord(word) {
    return word.length >= MIN_WORD && !/\d/.test(word) && !terms.known.has(word) && !terms.stopwords.has(word);
  }

  // An unknown word is a typo if a known word is one edit away (two for longer
  // words); glossary and filter words first, then the commonest. A word cut
  // short is completed instead, as `jipp-kb search` does: "puskes" is the
  // commonest word it begins, "puskesmas", not "askes".
  function correction(word) {
    if (!unknownWord(word)) return null;
    function begun(v) { return v.startsWith(word); }
    var completed = terms.completions.find(begun) || Array.from(terms.known).find(begun);
    if (completed) return completed;
    var limit = word.length < 6 ? 1 : 2;
    var best = null;
    var bestDistance = limit + 1;
    function consider(v) {
      var d = distance(word, v);
      if (d < bestDistance) {
        best = v;
        bestDistance = d;
      }
    }
    terms.preferred.forEach(function (v) { if (v.length >= MIN_WORD) consider(v); });
    if (!best) terms.words.forEach(consider);
    return best;
  }

  // -- query understanding ---------------------------------------------------------------------

  // Places and awards named in the query become filters, an urusan, a bare one-word
  // place and replication words preferences: jipp_kb/understand.py's rules, applied
  // to the tables it writes into search-terms.json (a browser test keeps both alike).
  function understand(text) {
    var U = terms.understand;
    var out = { text: text, filters: {}, preferUrusan: [], preferRegency: [], preferReplicated: false, applied: [] };
    if (!U) return out;
    var ms = Array.from(text.matchAll(/[\p{L}\p{N}_.]+/gu));
    var ws = ms.map(function (m) { return m[0]; });
    var lower = ws.map(function (w) { return w.toLowerCase().replace(/^\.+|\.+$/g, "") || w.toLowerCase(); });
    // The user's own syntax ("a phrase", field:value): its words are never read as places or awards, and stay.
    var syntax = Array.from(text.matchAll(new RegExp(U.syntax.replace(/\\w/g, "[\\p{L}\\p{N}_]"), "gu")), function (m) { return [m.index, m.index + m[0].length]; });
    var locked = ms.map(function (m) { return syntax.some(function (s) { return s[0] <= m.index && m.index < s[1]; }); });
    var used = locked.slice();
    function look(table, phrase) {
      var i = table.keys[phrase.toLowerCase().replace(/[^0-9a-z]+/g, "")];
      return i === undefined ? null : table.names[i];
    }
    function phraseAt(i, n) { return lower.slice(i, i + n).join(" "); }
    function anyUsed(i, n) { return used.slice(i, i + n).some(Boolean); }
    function isPrefix(w) { return Object.prototype.hasOwnProperty.call(U.prefixes, w); }
    function take(i, n) {
      for (var k = i; k < i + n; k++) used[k] = true;
      if (i > 0 && U.links.indexOf(lower[i - 1]) >= 0 && !used[i - 1]) used[i - 1] = true;
      return ws.slice(i, i + n).join(" ");
    }
    function add(name, value, written) {
      var values = out.filters[name] || (out.filters[name] = []);
      if (values.indexOf(value) >= 0) return;
      values.push(value);
      out.applied.push({ filter: name, value: value, words: written });
    }
    var n, i, phrase, name;
    for (n = U.max_words; n >= 1; n--) {
      for (i = 0; i + n <= ws.length; i++) {
        if (anyUsed(i, n)) continue;
        phrase = phraseAt(i, n);
        var province = look(U.provinces, phrase);
        var regency = look(U.regencies, phrase);
        if (province && !isPrefix(lower[i])) add("province", province, take(i, n));
        else if (regency && (n > 1 || isPrefix(lower[i]))) {
          if (n === 2 && isPrefix(lower[i]) && !look(U.regencies, U.prefixes[lower[i]] + " " + ws[i + 1])) continue;
          add("regency", regency, take(i, n));
        } else if (n === 1 && phrase.length > 3 && regency) out.preferRegency.push(regency);
      }
    }
    for (n = 3; n >= 1; n--) {
      for (i = 0; i + n <= ws.length; i++) {
        phrase = phraseAt(i, n);
        var award = anyUsed(i, n) ? null : look(U.awards, phrase);
        if (!award) continue;
        var tiers = U.tiers[award];
        var k = [2, 1].filter(function (k) { return i + n + k <= ws.length && look(tiers, phraseAt(i + n, k)); })[0] || 0;
        if (k) add("award", award + " " + look(tiers, phraseAt(i + n, k)), take(i, n + k));
        else add("award", award, take(i, n));
      }
    }
    for (i = 0; i + 1 < ws.length; i++) {
      if (!used[i] && lower[i] === "top" && /^\d+$/.test(lower[i + 1]) && U.kipp_tiers.indexOf("Top " + lower[i + 1]) >= 0) {
        add("award", "KIPP Top " + lower[i + 1], take(i, 2));
      }
    }
    for (n = 3; n >= 1; n--) {
      for (i = 0; i + n <= ws.length; i++) {
        phrase = phraseAt(i, n);
        name = U.ambiguous_urusan.indexOf(phrase) < 0 && !locked.slice(i, i + n).some(Boolean) ? look(U.urusan, phrase) : null;
        if (name && out.preferUrusan.indexOf(name) < 0) out.preferUrusan.push(name);
      }
    }
    var replication = new RegExp(U.replication, "i");
    if (replication.test(text)) {
      out.preferReplicated = true;
      var whole = new RegExp("^(?:" + U.replication + ")$", "i");
      lower.forEach(function (w, j) { if (whole.test(w) || U.elsewhere.indexOf(w) >= 0) used[j] = true; });
    }
    var rest = text;
    for (var j = ms.length - 1; j >= 0; j--) {
      if (used[j] && !locked[j]) rest = rest.slice(0, ms[j].index) + rest.slice(ms[j].index + ws[j].length);
    }
    rest = rest.split(/\s+/).filter(Boolean).join(" ");
    out.text = /[\p{L}\p{N}_]/u.test(rest) ? rest : text;
    return out;
  }

  // -- filters ---------------------------------------------------------------------------

  function chosen(select) {
    return select.value ? select.options[select.selectedIndex] : null;
  }

  function pagefindFilters() {
    var out = {};
    selects.forEach(function (select) {
      var o = chosen(select);
      if (o) out[select.getAttribute("data-pagefind-name")] = o.getAttribute("data-label");
    });
    return out;
  }

  // A filter value as Pagefind holds it on this page's language: the menu's label
  // (urusan are translated on the English pages), else the value itself ("KIPP Top 45").
  function pagefindFilter(name, value) {
    var select = document.getElementById("filter-" + name);
    var o = select && Array.prototype.find.call(select.options, function (x) { return x.value === value; });
    return { name: select ? select.getAttribute("data-pagefind-name") : name, label: o ? o.getAttribute("data-label") : value };
  }

  function apiParams() {
    var out = [];
    selects.forEach(function (select) {
      var o = chosen(select);
      if (o) out.push([o.getAttribute("data-param") || select.name, o.value]);
    });
    return out;
  }

  // Only the kabupaten/kota of the chosen province are offered.
  function limitRegencies() {
    var province = document.getElementById("filter-province");
    var regency = document.getElementById("filter-regency");
    if (!province || !regency) return;
    Array.prototype.forEach.call(regency.options, function (o) {
      var other = province.value && o.value && o.getAttribute("data-province") !== province.value;
      o.hidden = o.disabled = !!other;
    });
    if (chosen(regency) && chosen(regency).disabled) regency.value = "";
  }

  function rememberState(q) {
    var url = new URL(window.location.href);
    url.search = "";
    if (q) url.searchParams.set("q", q);
    selects.forEach(function (select) { if (select.value) url.searchParams.set(select.name, select.value); });
    window.history.replaceState(null, "", url.toString());
  }

  // -- Pagefind ----------------------------------------------------------------------------

  // A large library's language is indexed in shards, one bundle each (jipp_kb/render/pagefind.py).
  // Each bundle's pagefind.js is imported from its own URL, so each is its own module with its own index.
  function loadPagefind() {
    if (!bundles.length) return Promise.resolve(null);
    return Promise.all(bundles.map(function (b) {
      return import(b + "pagefind.js").then(function (pf) {
        return pf.options({ excerptLength: EXCERPT, ranking: { pageLength: PAGE_LENGTH, termSimilarity: TERM_SIMILARITY } }).then(function () { return pf; });
      });
    })).then(function (pfs) { pagefind = pfs; return pfs; }).catch(function () { return null; });
  }

  // One term in every shard, the results merged by score as Pagefind's own mergeIndex does; not
  // mergeIndex itself, because a result's id (a short hash) is unique only within its bundle.
  function shardSearch(term, filters) {
    return Promise.all(pagefind.map(function (pf, k) {
      return pf.search(term, { filters: filters }).then(function (res) {
        return res.results.map(function (r) { return { id: k + ":" + r.id, score: r.score, words: r.words, data: r.data }; });
      });
    })).then(function (lists) {
      return { results: [].concat.apply([], lists).sort(function (a, b) { return b.score - a.score; }) };
    });
  }

  // The query read as `jipp-kb search` reads it: its places and awards as filters
  // (unless the user chose that filter), the rest of its words searched; if the
  // filters leave nothing, the words alone, and the page says so.
  function pagefindSearch(q) {
    q = q.replace(/[“”„‟″]/g, '"'); // a phone keyboard's quotation marks, as `jipp-kb search` reads them
    var u = understand(infer ? q : "");
    var chosenFilters = pagefindFilters();
    var applied = u.applied.filter(function (a) { return !(pagefindFilter(a.filter).name in chosenFilters); });
    var filters = Object.assign({}, chosenFilters);
    applied.forEach(function (a) {
      var f = pagefindFilter(a.filter, a.value);
      filters[f.name] = filters[f.name] ? { any: [].concat(filters[f.name].any || [], f.label) } : { any: [f.label] };
    });
    var text = infer ? u.text : q;
    return Promise.all([searchWords(text, filters), preferred(u)]).then(function (found) {
      var relax = found[0].hits || !applied.length ? Promise.resolve(null) : searchWords(text, chosenFilters);
      return relax.then(function (relaxed) {
        var out = rank(relaxed || found[0], found[1]);
        out.applied = applied;
        out.relaxed = !!relaxed;
        return out;
      });
    });
  }

  // The cases each preference favours (one set per preference: its urusan, its
  // kabupaten/kota, replicas), from filter-only Pagefind searches.
  function preferred(u) {
    var groups = [
      u.preferUrusan.map(function (v) { return pagefindFilter("urusan", v); }),
      u.preferRegency.map(function (v) { return pagefindFilter("regency", v); }),
      u.preferReplicated ? [{ name: "replicated", label: "1" }] : [],
    ].filter(function (g) { return g.length; });
    return Promise.all(groups.map(function (group) {
      return Promise.all(group.map(function (f) {
        var filters = {};
        filters[f.name] = f.label;
        return shardSearch(null, filters);
      })).then(function (all) {
        var ids = new Set();
        all.forEach(function (res) { res.results.forEach(function (r) { ids.add(r.id); }); });
        return ids;
      });
    }));
  }

  function searchWords(q, filters) {
    var memo = new Map();
    function find(term) {
      if (!memo.has(term)) memo.set(term, shardSearch(term, filters));
      return memo.get(term);
    }
    var ws = words(q); // only function words: nothing to search, as in `jipp-kb search`
    // A word no case contains is replaced by the nearest known word, if one is close.
    var fixes = [];
    var fixed = ws.map(function (w) {
      var c = correction(w);
      if (c) fixes.push([w, c]);
      return c || w;
    });
    var cs = concepts(fixed);
    // A word the cases do not have as written (and no correction) may still be a form of one they have.
    cs.forEach(function (c) { c.unknown = c.forms.length === 1 && unknownWord(c.label); });
    // Two content words next to each other in the query, as an exact phrase ("kematian ibu").
    var all = words(q, true).map(function (w) { return correction(w) || w; });
    var phrases = [];
    for (var i = 0; i + 1 < all.length; i++) {
      if (!terms.stopwords.has(all[i]) && !terms.stopwords.has(all[i + 1])) phrases.push('"' + all[i] + " " + all[i + 1] + '"');
    }
    return Promise.all([
      Promise.all(cs.map(function (c) { return Promise.all(c.forms.map(find)); })),
      Promise.all(phrases.map(find)),
    ]).then(function (found) {
      var hits = found[0].some(function (forms) { return forms.some(function (res) { return res.results.length; }); });
      return { hits: hits, cs: cs, perConcept: found[0], phrases: found[1], fixes: fixes };
    });
  }

  // Do n of a result's word locations fall within n + NEAR words?
  function near(locations, n) {
    var l = locations.slice().sort(function (a, b) { return a - b; });
    for (var i = 0; i + n - 1 < l.length; i++) if (l[i + n - 1] - l[i] <= n - 1 + NEAR) return true;
    return false;
  }

  // Merge the searches: a case scores 1 for each concept it matches, plus
  // SCORE_WEIGHT × its Pagefind score for that concept relative to the best case's,
  // so cases matching more of the query come first, then the better matches.
  // (Weighting rare words more, as BM25 does, scored lower on the tune split.)
  function rank(found, preferences) {
    var cs = found.cs, perConcept = found.perConcept, phrases = found.phrases, fixes = found.fixes;
    var pages = new Map();
    var together = new Map();
    phrases.forEach(function (res) {
      res.results.forEach(function (r) { together.set(r.id, (together.get(r.id) || 0) + 1); });
    });
    var tops = perConcept.map(function (forms) {
      return Math.max.apply(null, forms.map(function (res) { return res.results.length ? res.results[0].score : 0; }));
    });
    var queryTop = Math.max.apply(null, tops.concat([0]));
    cs.forEach(function (c, ci) {
      // Each form's scores relative to its own best case, so that one form's outlier
      // (a case named after it) does not flatten the others'.
      var best = new Map();
      // An unknown word whose best case is far below the other words' found only Pagefind's
      // fallbacks (xyzzyq: the one case with an "x…" word), not a form of a word the cases have.
      var cut = c.unknown && tops[ci] < EXTENSION * queryTop ? Infinity : EXTENSION * tops[ci];
      perConcept[ci].forEach(function (res, fi) {
        var top = res.results.length ? res.results[0].score : 0;
        var n = c.forms[fi].split(" ").length;
        var other = n > 1 && fi > 0; // the words the user typed stay free, as a query's words are
        res.results.forEach(function (r) {
          if (r.score < cut) return;
          if (other && !near(r.words, n)) return;
          var rel = top ? r.score / top : 0;
          if (!best.has(r.id) || best.get(r.id).rel < rel) best.set(r.id, { rel: rel, result: r });
        });
      });
      c.hits = best.size;
      best.forEach(function (b, id) {
        var r = b.result;
        var p = pages.get(id) || { id: id, score: 0, concepts: [], raw: 0, result: null, part: -1, locations: [] };
        var part = 1 + SCORE_WEIGHT * b.rel;
        p.score += part;
        p.raw += r.score;
        p.concepts.push(c.label);
        p.locations = p.locations.concat(r.words || []);
        if (part > p.part) { p.part = part; p.result = r; }
        pages.set(id, p);
      });
    });
    pages.forEach(function (p, id) { p.score += PHRASE_WEIGHT * (together.get(id) || 0); });
    // Each preference the query states lifts the cases that have it by a share of the best score, as in `jipp-kb search`.
    var top = 0;
    pages.forEach(function (p) { top = Math.max(top, p.score); });
    pages.forEach(function (p, id) {
      preferences.forEach(function (ids) { if (ids.has(id)) p.score += PREFERENCE * top; });
    });
    var ordered = Array.from(pages.values()).sort(function (a, b) { return b.score - a.score || b.raw - a.raw; });
    var cut = ordered.length ? ordered[0].score * FLOOR : 0;
    var kept = ordered.filter(function (p) { return p.score >= cut; });
    var hit = cs.filter(function (c) { return c.hits; });
    var labels = hit.map(function (c) { return c.label; });
    return {
      items: kept.map(function (p) { return { pagefind: p.result, locations: p.locations }; }),
      hidden: ordered.length - kept.length,
      // The words the top result has, and those other cases have but it lacks (if any).
      partial: !!kept.length && kept[0].concepts.length < cs.length ? {
        has: labels.filter(function (l) { return kept[0].concepts.indexOf(l) >= 0; }),
        lacks: labels.filter(function (l) { return kept[0].concepts.indexOf(l) < 0; }),
      } : null,
      missing: kept.length ? cs.filter(function (c) { return !c.hits; }).map(function (c) { return c.label; }) : [],
      also: [].concat.apply([], hit.map(function (c) { return c.forms.slice(1); })),
      suggestion: fixes.length ? fixes.reduce(function (q, f) { return q.replace(new RegExp("(^|[^\\p{L}\\p{N}])" + f[0] + "(?![\\p{L}\\p{N}])", "iu"), "$1" + f[1]); }, input.value.trim()) : null,
    };
  }

  // r: the page's best-matching result; locations: where every query word it matched stands.
  function pagefindItem(r, locations) {
    return r.data().then(function (d) {
      var m = (d.url || "").match(/\/kasus\/([^/]+)\/?$/);
      return {
        id: m ? decodeURIComponent(m[1]) : "",
        title: (d.meta && d.meta.title) || "",
        region: (d.meta && d.meta.region) || "",
        year: (d.meta && d.meta.year) || "",
        award: (d.meta && d.meta.award) || "",
        profile: !!(d.meta && d.meta.depth === "profil"),
        excerpt: excerpt(d, locations),
      };
    });
  }

  // Pagefind's excerpt is the densest window of matches, which is nearly always the
  // facts panel, where the curated tags weigh most: a card then showed "TPB 4:
  // Pendidikan Berkualitas. TPB 5: … perkawinan anak, pernikahan dini". The excerpt is
  // taken instead from the summary and the text (outside the title and the facts
  // panel, which case.html marks with ids), around as many of the query's words as
  // fit; when they matched only in the title or the facts, the summary's start.
  function excerpt(d, locations) {
    var words = d.content.split(/[\r\n\s]+/);
    var anchors = d.anchors || [];
    function at(id) {
      var a = anchors.find(function (x) { return x.id === id; });
      return a ? a.location : -1;
    }
    var summary = Math.max(at("case-summary"), 0);
    var facts = at("case-facts");
    var after = anchors.map(function (x) { return x.location; }).filter(function (l) { return l > facts; });
    var factsEnd = facts < 0 ? -1 : Math.min.apply(null, after.concat([words.length]));
    function inFacts(l) { return l >= facts && l < factsEnd; }
    var marked = new Set(locations.filter(function (l) { return l >= summary && !inFacts(l); }));
    var start = summary; // where the excerpt starts: a region's start, or a few words before a match
    var best = 0;
    marked.forEach(function (l) {
      var from = Math.max(l - 4, l >= factsEnd && facts >= 0 ? factsEnd : summary);
      var count = 0;
      marked.forEach(function (x) { if (x >= from && x < from + EXCERPT) count += 1; });
      if (count > best || (count === best && from < start)) { best = count; start = from; }
    });
    var stop = Math.min(start + EXCERPT, start < facts ? facts : words.length);
    var html = [];
    for (var i = start; i < stop; i++) {
      var w = words[i].replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
      html.push(marked.has(i) ? "<mark>" + w + "</mark>" : w);
    }
    var cut = start !== summary && start !== factsEnd;
    return (cut ? "… " : "") + html.join(" ") + (stop < words.length && stop === start + EXCERPT ? " …" : "");
  }

  // -- the server's API ------------------------------------------------------------------------

  function apiSearch(q) {
    var params = new URLSearchParams();
    params.set("q", q);
    params.set("limit", "100");
    if (!infer) params.set("infer", "0");
    apiParams().forEach(function (kv) { params.append(kv[0], kv[1]); });
    return getJson(api + "?" + params.toString()).then(function (r) {
      if (r.status !== 200 || !Array.isArray(r.data.results)) throw new Error("API " + r.status);
      var d = r.data;
      return {
        items: d.results.filter(function (x) { return x && caseUrl(x.id); }).map(function (x) {
          return {
            api: {
              id: x.id,
              title: x.title || x.id,
              region: x.region || "",
              year: x.year || "",
              award: Array.isArray(x.awards) ? x.awards.join(", ") : "",
              profile: x.depth === "profil",
              excerpt: x.snippet || "",
            },
          };
        }),
        hidden: d.hidden || 0,
        partial: null,
        missing: [],
        also: Array.isArray(d.expanded) ? d.expanded : [],
        suggestion: d.suggestion || null,
        applied: Array.isArray(d.applied) ? d.applied : [],
        relaxed: !!d.relaxed,
      };
    });
  }

  // -- showing results ----------------------------------------------------------------------------

  function queryLink(q) {
    var a = node("a", "", q);
    a.href = searchPage + "?q=" + encodeURIComponent(q);
    a.addEventListener("click", function (e) {
      e.preventDefault();
      input.value = q;
      run();
    });
    return a;
  }

  function renderNotes(out) {
    notes.replaceChildren();
    if (out.applied.length) {
      var p = node("p", "search-applied", S.applied + " ");
      out.applied.forEach(function (a) {
        var chip = node("button", "chip", a.value + " ×");
        chip.type = "button";
        chip.setAttribute("aria-label", S.remove + ": " + a.value);
        chip.addEventListener("click", function () { removeApplied(out.applied, a); });
        p.appendChild(chip);
        p.appendChild(document.createTextNode(" "));
      });
      notes.appendChild(p);
    }
    if (out.relaxed) notes.appendChild(node("p", "", S.relaxed));
    if (out.partial) {
      var part = out.partial.lacks.length ? S.partial_top : S.partial;
      notes.appendChild(node("p", "search-partial", fill(part, { words: out.partial.has.join(", "), lacking: out.partial.lacks.join(", ") })));
    }
    if (out.missing.length) notes.appendChild(node("p", "", fill(S.missing, { words: out.missing.join(", ") })));
    if (out.suggestion && out.items.length) {
      var s = node("p", "search-suggestion", S.suggest + " ");
      s.appendChild(queryLink(out.suggestion));
      notes.appendChild(s);
    }
    if (out.also.length && out.items.length) notes.appendChild(node("p", "search-also", fill(S.also, { words: out.also.join(", ") })));
  }

  // Removing a filter the server read from the words: ask again without reading
  // filters from the words, keeping the others as chosen filters.
  function removeApplied(applied, removed) {
    applied.forEach(function (a) {
      if (a === removed) return;
      var select = document.getElementById("filter-" + a.filter);
      if (select && Array.prototype.some.call(select.options, function (o) { return o.value === a.value; })) select.value = a.value;
    });
    infer = false;
    run();
  }

  function resultNode(item) {
    var li = node("li", "search-result");
    var h = node("h2", "search-result-title");
    var a = node("a", "", item.title || item.id);
    a.href = caseUrl(item.id);
    h.appendChild(a);
    li.appendChild(h);
    var meta = node("p", "card-meta");
    [item.region, item.year ? fill(S.started, { year: item.year }) : "", item.award].filter(Boolean).forEach(function (part, i) {
      if (i) meta.appendChild(document.createTextNode(" · "));
      meta.appendChild(document.createTextNode(part));
    });
    if (item.profile) {
      if (meta.childNodes.length) meta.appendChild(document.createTextNode(" "));
      meta.appendChild(node("span", "badge", S.profile));
    }
    li.appendChild(meta);
    if (item.excerpt) {
      var p = node("p", "card-excerpt");
      p.appendChild(markedText(String(item.excerpt)));
      li.appendChild(p);
    }
    if (packPage) {
      var label = node("label", "pack-choose");
      var box = node("input", "pack-check");
      box.type = "checkbox";
      box.value = item.id;
      if (item.profile) box.setAttribute("data-profile", "");
      box.addEventListener("change", updatePack);
      label.appendChild(box);
      label.appendChild(document.createTextNode(" " + S.choose));
      li.appendChild(label);
    }
    return li;
  }

  // The pack link: the chosen cases in result order, or the top results; a full
  // pack disables the other checkboxes.
  function updatePack() {
    if (!packPage || !packBar) return;
    var boxes = Array.prototype.slice.call(list.querySelectorAll("input.pack-check"));
    var chosen = boxes.filter(function (b) { return b.checked; }).map(function (b) { return b.value; });
    // By default the top full case studies: a short profile has no sections to read (as `jipp-kb pack --query`).
    var full = boxes.filter(function (b) { return !b.hasAttribute("data-profile"); });
    var ids = chosen.length ? chosen : full.slice(0, packMax).map(function (b) { return b.value; });
    boxes.forEach(function (b) { b.disabled = !b.checked && chosen.length >= packMax; });
    packBar.hidden = !ids.length;
    var link = document.getElementById("search-pack-link");
    link.href = packPage + "?kasus=" + ids.join(",");
    link.textContent = fill(chosen.length ? S.pack_chosen : S.pack_top, { n: ids.length });
    document.getElementById("search-pack-note").textContent = chosen.length >= packMax ? fill(S.pack_max, { max: packMax }) : "";
  }

  function showMore(mine) {
    var next = shown.slice(rendered, rendered + PAGE);
    rendered += next.length;
    more.hidden = true;
    return Promise.all(next.map(function (x) { return x.api ? Promise.resolve(x.api) : pagefindItem(x.pagefind, x.locations); })).then(function (items) {
      if (mine !== seq) return;
      items.forEach(function (item) { if (caseUrl(item.id)) list.appendChild(resultNode(item)); });
      more.hidden = rendered >= shown.length;
      updatePack();
    });
  }

  function render(out, mine) {
    if (mine !== seq) return Promise.resolve();
    shown = out.items;
    rendered = 0;
    list.replaceChildren();
    updatePack();
    renderNotes(out);
    var count = fill(S.count, { n: shown.length });
    status.textContent = out.hidden ? count + ". " + fill(S.hidden, { n: out.hidden }) : count;
    help.hidden = shown.length > 0;
    document.getElementById("search-help-filters").hidden = !selects.some(function (s) { return s.value; });
    var suggest = document.getElementById("search-help-suggest");
    suggest.replaceChildren();
    suggest.hidden = !(out.suggestion && !shown.length);
    if (!suggest.hidden) {
      suggest.appendChild(document.createTextNode(S.suggest + " "));
      suggest.appendChild(queryLink(out.suggestion));
    }
    if (!shown.length) status.textContent = "";
    return showMore(mine);
  }

  function run() {
    window.clearTimeout(timer);
    var q = input.value.trim();
    var mine = ++seq;
    rememberState(q);
    if (!q) {
      list.replaceChildren();
      updatePack();
      notes.replaceChildren();
      status.textContent = "";
      help.hidden = more.hidden = true;
      app.setAttribute("data-state", "done");
      return;
    }
    app.setAttribute("data-state", "searching");
    status.textContent = S.searching;
    var search = useApi
      ? apiSearch(q).catch(function () { return pagefind ? pagefindSearch(q) : Promise.reject(new Error("no engine")); })
      : pagefind ? pagefindSearch(q) : Promise.reject(new Error("no engine"));
    search.then(function (out) { return render(out, mine); }).catch(function () {
      if (mine === seq) render({ items: [], hidden: 0, partial: null, missing: [], also: [], suggestion: null, applied: [], relaxed: false }, mine);
    }).then(function () {
      if (mine === seq) {
        app.setAttribute("data-query", q);
        app.setAttribute("data-state", "done");
      }
    });
  }

  function schedule() {
    window.clearTimeout(timer);
    infer = true;
    timer = window.setTimeout(run, 300);
  }

  // -- start ----------------------------------------------------------------------------------

  var params = new URLSearchParams(window.location.search);
  input.value = params.get("q") || "";
  selects.forEach(function (select) {
    var v = params.get(select.name);
    if (v && Array.prototype.some.call(select.options, function (o) { return o.value === v; })) select.value = v;
  });
  filterBox.hidden = false;
  // Open on a wide screen, or when a filter is chosen; closed on a phone, where seven menus would push the results down.
  filterBox.open = window.matchMedia("(min-width: 40rem)").matches || selects.some(function (s) { return s.value; });
  limitRegencies();

  // `jipp-kb serve` answers even an empty query with JSON (an error object); a
  // static host answers with a 404 page, or nothing at all.
  var probe = getJson(api + "?q=").then(function () { useApi = true; }).catch(function () { useApi = false; });
  var ready = Promise.all([loadTerms(), loadPagefind(), probe]);
  // For the browser tests: the page reads queries as jipp_kb/understand.py does, its ranking rule and excerpts.
  window.jippKbSearch = { ready: ready, understand: understand, rank: rank, excerpt: excerpt };

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    infer = true;
    ready.then(run);
  });
  input.addEventListener("input", function () { ready.then(schedule); });
  selects.forEach(function (select) {
    select.addEventListener("change", function () {
      if (select.id === "filter-province") limitRegencies();
      ready.then(run);
    });
  });
  more.addEventListener("click", function () { showMore(seq); });
  ready.then(function () {
    var noIndex = document.getElementById("no-index");
    if (noIndex && useApi) noIndex.hidden = true;
    if (input.value.trim()) run();
    else app.setAttribute("data-state", "done");
  });
})();
