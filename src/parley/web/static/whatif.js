// The live what-if page (/scenarios/{sid}/whatif), loaded from /static/whatif.js: the app's
// Content-Security-Policy allows no inline scripts, so the page carries its data in a
// <script type="application/json" id="whatif-data"> block and this file acts on it.
// A slider's `input` event schedules a request 50 ms later (debounced); one request is in flight
// at a time and the latest state is sent when it returns, so an answer older than the one shown
// is never drawn (latest wins).
(function () {
  "use strict";

  var holder = document.getElementById("whatif-data");
  if (!holder) { return; }
  var data = JSON.parse(holder.textContent);
  var url = "/api/scenarios/" + encodeURIComponent(data.scenario_id) + "/whatif";
  var DEBOUNCE_MS = 50;

  var actors = {}, issues = {};
  data.actors.forEach(function (a) { actors[a.id] = a; });
  data.issues.forEach(function (i) { issues[i.id] = i; });
  var maxCap = Math.max.apply(null, data.actors.map(function (a) { return a.capability; }));

  var changes = {};            // "actor|issue|field" -> {actor, issue, field, value}
  var model = "compromise";    // the forecast model of the next request
  var timer = null, inFlight = false, dirty = false, sent = 0, shown = 0;

  function $(id) { return document.getElementById(id); }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) { e.textContent = text; }
    return e;
  }
  function fmt(v) {
    if (v === null || v === undefined || isNaN(v)) { return "–"; }
    if (Math.abs(v) >= 100) { return String(Math.round(v)); }
    return String(parseFloat(Number(v).toPrecision(3)));
  }
  function nb(text) { return String(text).replace(/([<>]) /g, "$1\u00a0"); } // "> 99%" on one line
  function pct(p) { return p === null || p === undefined ? "–" : Math.round(100 * p) + "%"; }
  function key(actor, issue, field) { return actor + "|" + (issue || "") + "|" + field; }
  function original(actor, issue, field) {
    var a = actors[actor];
    return field === "capability" ? a.capability : a.stances[issue][field];
  }
  function current(actor, issue, field) {
    var c = changes[key(actor, issue, field)];
    return c ? c.value : original(actor, issue, field);
  }

  // ------------------------------------------------------------------ the sliders
  function setChange(actor, issue, field, value) {
    var k = key(actor, issue, field), base = original(actor, issue, field);
    var tol = field === "position" ? 1e-9 * (issues[issue].upper - issues[issue].lower) : 1e-9;
    if (Math.abs(value - base) <= tol) { delete changes[k]; }
    else { changes[k] = { actor: actor, issue: issue, field: field, value: value }; }
  }

  function slider(attrs, value, onInput) {
    var input = el("input", Object.assign({ type: "range" }, attrs));
    input.value = value;
    input.addEventListener("input", function () { onInput(parseFloat(input.value)); });
    return input;
  }

  function drawSliders() {
    var actor = $("actor").value, a = actors[actor];
    // capability: any value above 0 up to half again the largest in the scenario
    var cap = $("capability"), step = maxCap / 300;
    cap.min = step; cap.max = Math.max(maxCap * 1.5, a.capability); cap.step = "any";
    cap.value = current(actor, null, "capability");
    $("capability-value").textContent = fmt(current(actor, null, "capability"));
    $("cap-row").className = changes[key(actor, null, "capability")] ? "changed" : "";
    var body = $("stance-rows");
    body.textContent = "";
    var ids = data.issues.map(function (i) { return i.id; }).filter(function (id) { return a.stances[id]; });
    $("no-stance").textContent = ids.length < data.issues.length
      ? a.name + " has no stance on " + (data.issues.length - ids.length) + " of the " + data.issues.length + " issues (not shown)." : "";
    ids.forEach(function (id) {
      var issue = issues[id];
      var row = el("tr", { "data-issue": id });
      var span = issue.upper - issue.lower;
      var posOut = el("output", {}, fmt(current(actor, id, "position")));
      var salOut = el("output", {}, fmt(current(actor, id, "salience")));
      function mark() {
        row.className = (changes[key(actor, id, "position")] || changes[key(actor, id, "salience")]) ? "changed" : "";
      }
      var pos = slider({ min: issue.lower, max: issue.upper, step: span / 120, "data-field": "position",
                         "data-issue": id, "aria-label": issue.label + ": position", title: issue.unit || "" },
        current(actor, id, "position"), function (v) {
          posOut.textContent = fmt(v); setChange(actor, id, "position", v); mark(); drawChanges(); schedule();
        });
      var sal = slider({ min: 0, max: 1, step: 0.01, "data-field": "salience", "data-issue": id,
                         "aria-label": issue.label + ": salience" },
        current(actor, id, "salience"), function (v) {
          salOut.textContent = fmt(v); setChange(actor, id, "salience", v); mark(); drawChanges(); schedule();
        });
      var name = el("td", {}, issue.label);
      name.appendChild(el("div", { class: "muted", style: "font-size:.75rem" },
        fmt(issue.lower) + "–" + fmt(issue.upper) + (issue.unit ? " " + issue.unit : "")));
      var c1 = el("td"), c2 = el("td"), c3 = el("td"), c4 = el("td");
      c1.appendChild(pos); c2.appendChild(posOut); c3.appendChild(sal); c4.appendChild(salOut);
      [name, c1, c2, c3, c4].forEach(function (c) { row.appendChild(c); });
      mark();
      body.appendChild(row);
    });
  }

  function drawChanges() {
    var list = $("changes"), keys = Object.keys(changes);
    list.textContent = "";
    if (!keys.length) { list.appendChild(el("li", { class: "muted" }, "none: the scenario as it stands")); return; }
    keys.forEach(function (k) {
      var c = changes[k], a = actors[c.actor];
      var what = c.field === "capability" ? "capability" : c.field + " on " + issues[c.issue].label;
      list.appendChild(el("li", {}, a.name + ": " + what + " " + fmt(original(c.actor, c.issue, c.field)) + " → " + fmt(c.value)));
    });
  }

  // ------------------------------------------------------------------ the requests
  function schedule() {
    model = "compromise"; // a slider move is answered by the fast model; heavier ones run on request
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(send, DEBOUNCE_MS);
  }

  function send() {
    timer = null;
    if (inFlight) { dirty = true; return; }
    inFlight = true;
    var seq = ++sent, started = performance.now();
    var body = { plan: $("plan").value, model: model, changes: Object.keys(changes).map(function (k) {
      var c = changes[k], out = { actor: c.actor, field: c.field, value: c.value };
      if (c.field !== "capability") { out.issue = c.issue; }
      return out;
    }) };
    $("brief").classList.add("stale");
    $("whatif-status").textContent = model === "compromise" ? "computing…" : "running " + model + "…";
    fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) })
      .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, status: r.status, body: j }; }); })
      .then(function (res) {
        if (seq <= shown) { return; } // an older answer than the one on screen: dropped
        shown = seq;
        if (!res.ok) { showErrors(res); return; }
        $("whatif-errors").textContent = "";
        draw(res.body, performance.now() - started);
      })
      .catch(function (err) { $("whatif-errors").textContent = "The request failed: " + err; })
      .then(function () {
        inFlight = false;
        if (dirty) { dirty = false; send(); } else { $("brief").classList.remove("stale"); }
      });
  }

  function showErrors(res) {
    var box = $("whatif-errors");
    box.textContent = "";
    var detail = res.body && res.body.detail;
    var items = Array.isArray(detail) ? detail.map(function (d) { return (d.loc || []).slice(1).join(".") + ": " + d.msg; })
      : [String(detail || ("error " + res.status))];
    var ul = el("ul");
    items.forEach(function (t) { ul.appendChild(el("li", {}, t)); });
    box.appendChild(ul);
    $("whatif-status").textContent = "not updated (HTTP " + res.status + ")";
  }

  // ------------------------------------------------------------------ the brief
  function draw(r, ms) {
    $("brief-title").textContent = "The brief: " + r.plan_title;
    $("p-deal").textContent = r.p_deal.certain ? pct(r.p_deal.p) : nb(r.p_deal.text);
    $("p-deal").dataset.p = r.p_deal.p;
    $("p-deal-certain").textContent = r.p_deal.certain ? "certain" : "";
    $("p-deal-why").textContent = r.p_deal.certain ? "Certain: " + r.p_deal.why + " — no slider of a position, salience or capability can move it."
      : "95 % interval over " + r.draws + " draws.";
    $("pivotal").textContent = r.pivotal_label || "none";
    $("pivotal-why").textContent = r.pivotal_why ? "— " + r.pivotal_why : "";
    var body = $("parties");
    body.textContent = "";
    r.parties.forEach(function (p) {
      var tr = el("tr", { "data-party": p.name });
      var who = el("td", {}, p.label);
      if (p.members.length > 1 || p.members[0] !== p.name) {
        who.appendChild(el("div", { class: "muted", style: "font-size:.75rem" },
          p.member_names.length + " member" + (p.member_names.length === 1 ? "" : "s") + ": " + p.member_names.join(", ")));
      }
      who.appendChild(el("div", { class: "muted", style: "font-size:.75rem" }, p.roles.map(function (role) {
        return role.replace(/^veto on (\S+)/, function (m, id) { return "veto on " + (issues[id] ? issues[id].label : id); });
      }).join("; ")));
      var acc = el("td", { "data-p": p.p_accept.p });
      var bar = el("span", { class: "bar" }), fill = el("span", { style: "width:" + Math.round(100 * (p.p_accept.p || 0)) + "%" });
      bar.appendChild(fill); acc.appendChild(bar);
      acc.appendChild(document.createTextNode(p.p_accept.certain ? pct(p.p_accept.p) : nb(p.p_accept.text)));
      if (p.p_accept.certain) { acc.appendChild(el("div", { class: "muted", style: "font-size:.75rem" }, "certain: " + p.p_accept.why)); }
      var names = {};
      var red = el("td", {}, p.red_lines_crossed.length ? p.red_lines_crossed.map(function (x) {
        var whose = p.members.length > 1 ? actors[x.actor].name.replace(/\s*\([^()]*\)$/, "") + ": " : "";
        var k = whose + x.label;
        if (names[k]) { return null; }
        names[k] = true;
        return whose + x.label + (x.soft ? " (soft)" : "");
      }).filter(Boolean).join("; ") : "none");
      if (p.red_lines_crossed.length) { red.className = "bad"; }
      var gain = el("td", { class: "num", "data-gain": p.gain === null ? "" : p.gain }, p.gain === null ? "–" : fmt(p.gain));
      [who, acc, red, gain].forEach(function (c) { tr.appendChild(c); });
      body.appendChild(tr);
    });
    var sc = r.smallest_change;
    $("smallest").textContent = sc
      ? "Smallest change that wins " + (r.pivotal_label || "the pivotal party") + ": " + (issues[sc.issue] ? issues[sc.issue].label : sc.issue) +
        " from " + fmt(sc.from) + " to " + fmt(sc.to) + " (P(accept) " + sc.p_accept.text + "; P(deal) then " + sc.p_deal.text + ")."
      : (r.smallest_change_note ? "Smallest change: " + r.smallest_change_note + "." : "");
    var fb = $("forecast");
    fb.textContent = "";
    r.forecast.forEach(function (f) {
      var tr = el("tr", { "data-issue": f.issue });
      var sq = issues[f.issue].status_quo;
      var text = f.deferred ? "deferred" : (f.plan_position === null || f.plan_position === undefined
        ? "silent" + (sq === null || sq === undefined ? "" : " (stays " + fmt(sq) + ")") : fmt(f.plan_position));
      [el("td", {}, f.label), el("td", { class: "num", "data-value": f.value }, fmt(f.value)),
       el("td", { class: "num" }, fmt(f.band_90[0]) + "–" + fmt(f.band_90[1])), el("td", { class: "num" }, text)]
        .forEach(function (c) { tr.appendChild(c); });
      fb.appendChild(tr);
    });
    $("model-shown").textContent = r.model + (r.model === "compromise" ? "" : " (run on request, for the sliders as they are now)");
    $("model-shown").dataset.model = r.model;
    $("whatif-status").textContent = "updated in " + Math.round(ms) + " ms · " + r.draws + " draws · seed " + r.seed +
      " · " + r.changes.length + " change" + (r.changes.length === 1 ? "" : "s");
    $("whatif-status").dataset.seq = shown;
  }

  // ------------------------------------------------------------------ wiring
  $("actor").addEventListener("change", drawSliders);
  $("plan").addEventListener("change", function () { model = "compromise"; send(); });
  $("capability").addEventListener("input", function () {
    var actor = $("actor").value, v = parseFloat($("capability").value);
    $("capability-value").textContent = fmt(v);
    setChange(actor, null, "capability", v);
    $("cap-row").className = changes[key(actor, null, "capability")] ? "changed" : "";
    drawChanges(); schedule();
  });
  $("run-heavy").addEventListener("click", function () { model = $("heavy-model").value; send(); });
  $("back-fast").addEventListener("click", function () { model = "compromise"; send(); });
  $("reset").addEventListener("click", function () { changes = {}; drawSliders(); drawChanges(); schedule(); });
  drawSliders();
  send();
})();
