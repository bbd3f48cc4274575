/* makerkit dashboard: the live class view and the teacher's controls.
 * No library, no network beyond this dashboard. Every buffer is bounded: a sparkline keeps
 * SPARK_POINTS values, a tile's DOM is reused for every update, and nothing is kept per message. */
(function () {
  "use strict";
  var SPARK_POINTS = 120;
  var COMPACT_FROM = 12;      /* more tiles than this: the compact tiles, so a class of 40 fits a 1920 x 1080 screen */
  var data = JSON.parse(document.getElementById("dashboard-data").textContent);
  var T = data.texts;
  var api = window.makerkitDashboard = { afterUpdate: null, tiles: {} };

  function el(tag, cls, txt) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (txt !== undefined) e.textContent = txt;
    return e;
  }
  function fmt(v) {
    if (typeof v !== "number") return String(v);
    var a = Math.abs(v);
    if (a !== 0 && (a >= 100000 || a < 0.01)) return v.toPrecision(4);
    return String(Math.round(v * 100) / 100);
  }

  function labelled(box, label, value) {
    /* "Lesson: Traffic light": the label in a span of its own (compact tiles leave it out) */
    box.textContent = "";
    if (!value) return;
    box.appendChild(el("span", "label", label + T.colon));
    box.appendChild(document.createTextNode(value));
  }

  /* -- one kit's tile ------------------------------------------------------------------------ */
  function Tile(doc) {
    this.id = doc.id; this.spark = {}; this.rows = {}; this.units = {};
    var root = this.root = el("article", "tile");
    root.dataset.kit = doc.kit; root.dataset.class = doc["class"];
    var head = el("header");
    var link = el("a", "kit-id", doc.kit); link.href = "/kit/" + doc["class"] + "/" + doc.kit;
    this.statusEl = el("span", "status");
    head.appendChild(link); head.appendChild(this.statusEl);
    this.holderEl = el("div", "holder");
    this.lessonRow = el("div", "lesson-row");
    this.lessonEl = el("span", "lesson");
    this.checkEl = el("span", "check");
    this.lessonRow.appendChild(this.lessonEl); this.lessonRow.appendChild(this.checkEl);
    this.staleEl = el("div", "stale-note");
    this.list = el("ul", "readings");
    this.ackEl = el("div", "ack");
    [head, this.holderEl, this.lessonRow, this.list, this.staleEl, this.ackEl].forEach(function (c) { root.appendChild(c); });
    this.doc = { status: "", stale: false, seen: 0, lesson: "", running: false, checkpoint: "", check: null,
                 holder: "", holder_id: "", holder_kind: "", ack: null };
    this.merge(doc);
  }
  Tile.prototype.row = function (name) {
    var row = this.rows[name];
    if (row) return row;
    var li = el("li"); li.dataset.row = name;
    var label = el("span", "name", name);
    var value = el("span", "value"); value.dataset.reading = name;
    var unit = el("span", "unit");
    var svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("class", "spark"); svg.setAttribute("viewBox", "0 0 " + SPARK_POINTS + " 40");
    svg.setAttribute("preserveAspectRatio", "none");
    var line = document.createElementNS("http://www.w3.org/2000/svg", "polyline");
    svg.appendChild(line);
    li.appendChild(label); li.appendChild(value); li.appendChild(unit); li.appendChild(svg);
    this.list.appendChild(li);
    row = this.rows[name] = { value: value, unit: unit, line: line };
    this.spark[name] = [];
    return row;
  };
  Tile.prototype.drawSpark = function (name) {
    var pts = this.spark[name], n = pts.length;
    if (n < 2) { this.rows[name].line.setAttribute("points", ""); return; }
    var lo = Infinity, hi = -Infinity, i;
    for (i = 0; i < n; i++) { if (pts[i] < lo) lo = pts[i]; if (pts[i] > hi) hi = pts[i]; }
    if (hi === lo) { hi += 1; lo -= 1; }
    var out = new Array(n), step = (SPARK_POINTS - 1) / (n - 1);      /* the points so far, across the width */
    for (i = 0; i < n; i++) out[i] = (i * step).toFixed(1) + "," + (37 - (pts[i] - lo) / (hi - lo) * 34).toFixed(1);
    this.rows[name].line.setAttribute("points", out.join(" "));
  };
  Tile.prototype.merge = function (ch) {
    var name, d = this.doc, self = this;
    if (ch.units) for (name in ch.units) { this.units[name] = ch.units[name]; this.row(name).unit.textContent = ch.units[name]; }
    if (ch.readings) for (name in ch.readings) this.row(name).value.textContent = fmt(ch.readings[name]);
    if (ch.spark) for (name in ch.spark) { this.row(name); this.spark[name] = ch.spark[name].slice(-SPARK_POINTS); this.drawSpark(name); }
    if (ch.points) for (name in ch.points) {
      this.row(name);
      var s = this.spark[name]; s.push(ch.points[name]);
      if (s.length > SPARK_POINTS) s.splice(0, s.length - SPARK_POINTS);
      this.drawSpark(name);
    }
    ["status", "stale", "seen", "lesson", "running", "checkpoint", "check", "holder", "holder_id", "holder_kind",
     "ack"].forEach(function (k) {
      if (k in ch) d[k] = ch[k];
    });
    this.render();
    return self;
  };
  Tile.prototype.render = function () {
    var d = this.doc, r = this.root;
    var status = d.status || "unknown";
    r.dataset.status = status; r.dataset.stale = d.stale ? "true" : "false";
    r.classList.toggle("offline", status === "offline");
    r.classList.toggle("stale", !!d.stale);
    this.statusEl.textContent = T[status] || status;
    this.renderHolder();
    var titles = data.lessons || {};
    labelled(this.lessonEl, d.lesson ? T.lesson : "", d.lesson ? (titles[d.lesson] || d.lesson) +
      (d.running ? " · " + T.running : "") + (d.checkpoint ? " · " + d.checkpoint : "") : "");
    this.lessonEl.dataset.lesson = d.lesson || "";
    this.lessonEl.title = d.lesson || "";
    this.lessonEl.dataset.running = d.running ? "true" : "false";
    var check = d.check && d.check.lesson === d.lesson ? d.check : null;
    labelled(this.checkEl, d.lesson ? T.checker : "", d.lesson ? (check ? (T["outcome_" + check.outcome] || check.outcome) : T.no_check) : "");
    this.checkEl.dataset.outcome = check ? check.outcome : "";
    this.tick();
    this.ackEl.textContent = d.ack ? T.acked + T.colon + (T[d.ack.done] || d.ack.done) : "";
  };
  Tile.prototype.renderHolder = function () {
    var d = this.doc, box = this.holderEl;
    box.textContent = T.holder + T.colon;
    if (!d.holder) { box.appendChild(document.createTextNode(T.nobody)); return; }
    if (d.holder_kind !== "student" || !d.holder_id) { box.appendChild(document.createTextNode(d.holder)); return; }
    var link = el("a", "holder-link", d.holder);
    link.href = "/student/" + this.root.dataset["class"] + "/" + d.holder_id;
    box.appendChild(link);
  };
  Tile.prototype.tick = function () {
    var d = this.doc;
    this.staleEl.textContent = d.stale && d.seen ? T.stale + " · " + Math.round(Date.now() / 1000 - d.seen) + " " + T.seconds_ago : "";
  };

  /* -- the class view ------------------------------------------------------------------------ */
  function classView() {
    var box = document.getElementById("tiles"), empty = document.getElementById("empty");
    var note = document.getElementById("server-note");
    var tiles = api.tiles;
    function place(tile) {
      var kids = box.children, i;
      for (i = 0; i < kids.length; i++) if ((kids[i].dataset.class + "/" + kids[i].dataset.kit) > tile.id) break;
      box.insertBefore(tile.root, kids[i] || null);
    }
    function apply(changes) {
      for (var i = 0; i < changes.length; i++) {
        var ch = changes[i], tile = tiles[ch.id];
        if (tile) tile.merge(ch); else if (ch.kit) { tile = tiles[ch.id] = new Tile(ch); place(tile); }
      }
      empty.hidden = box.children.length > 0;
      box.classList.toggle("compact", box.children.length > COMPACT_FROM);
      if (api.afterUpdate) api.afterUpdate(changes);
    }
    function server(s) {
      note.hidden = s.broker !== false;
      note.textContent = s.broker === false ? T.broker_down : "";
    }
    var source = new EventSource("/events");
    source.onmessage = function (ev) {
      var doc = JSON.parse(ev.data);
      if (doc.snapshot) {
        box.textContent = ""; for (var k in tiles) delete tiles[k];
        apply(doc.snapshot);
      }
      if (doc.tiles) apply(doc.tiles);
      if (doc.server) server(doc.server);
    };
    source.onerror = function () { note.hidden = false; note.textContent = T.live_lost; };
    source.onopen = function () { note.hidden = true; };
    setInterval(function () { for (var k in tiles) if (tiles[k].doc.stale) tiles[k].tick(); }, 1000);
  }

  /* -- the teacher's page -------------------------------------------------------------------- */
  function post(url, body) {
    return fetch(url, { method: "POST", credentials: "same-origin", body: JSON.stringify(body),
      headers: { "Content-Type": "application/json", "X-CSRF-Token": data.csrf } })
      .then(function (r) { return r.json().then(function (doc) { return { ok: r.ok, doc: doc }; }); });
  }
  function detailText(detail) {
    /* the parts makerkit writes ("via bridge", "3 outputs off", "never online") in the page's language */
    return (detail || "").split(", ").map(function (part) {
      var m = /^(\d+) outputs off$/.exec(part);
      return m ? m[1] + " " + T.outputs_off : (T[part] || part);
    }).join(data.lang === "zh" ? "，" : ", ");
  }
  function showAnswers(doc) {
    var tbl = document.getElementById("answers"), body = tbl.querySelector("tbody");
    body.textContent = "";
    doc.kits.forEach(function (k) {
      var tr = el("tr"); tr.dataset.ackKit = k.kit; tr.dataset.state = k.state;
      [k.kit, T[k.state] || k.state, T[k.done] || k.done, detailText(k.detail),
       k.seconds === null ? "" : k.seconds.toFixed(2) + " s"].forEach(function (c) { tr.appendChild(el("td", "", c)); });
      tr.className = "answer-" + k.state.replace(" ", "-");
      body.appendChild(tr);
    });
    tbl.hidden = false;
  }
  function teacherView() {
    var state = document.getElementById("control-state");
    var buttons = [document.getElementById("stop-all"), document.getElementById("say-send")];
    function send(body) {
      buttons.forEach(function (b) { b.disabled = true; });
      state.textContent = T.sending; state.dataset.state = "sending";
      post("/api/control", body).then(function (r) {
        if (r.ok) { showAnswers(r.doc); state.textContent = ""; state.dataset.state = "done"; }
        else {
          var e = r.doc.error || {};
          state.textContent = T.control_failed + T.colon + (typeof e === "string" ? e : (data.lang === "zh" ? e.zh + " " + e.hint_zh : e.en + " " + e.hint_en));
          state.dataset.state = "failed";
        }
      }).catch(function (err) { state.textContent = T.control_failed + T.colon + err; state.dataset.state = "failed"; })
        .then(function () { buttons.forEach(function (b) { b.disabled = false; }); });
    }
    document.getElementById("stop-all").addEventListener("click", function () { send({ cmd: "stop" }); });
    document.getElementById("say-form").addEventListener("submit", function (ev) {
      ev.preventDefault(); send({ cmd: "say", text: document.getElementById("say-text").value });
    });
    var toggle = document.getElementById("names-toggle");
    toggle.addEventListener("click", function () {
      post("/api/names", { on: toggle.dataset.on !== "1" }).then(function () { location.reload(); });
    });
  }

  if (data.page === "class") classView();
  if (data.page === "teacher") teacherView();
})();
