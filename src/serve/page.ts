/**
 * The dashboard page: HTML, CSS and script, served as three same-origin
 * files so that the Content-Security-Policy can forbid every inline script
 * and style. The script builds the page with `textContent` only: no name
 * from the store is ever parsed as HTML.
 *
 * @module
 */

/** The page. */
export const PAGE_HTML: string = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>filestore dashboard</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/app.css">
<script src="/app.js" defer></script>
</head>
<body>
<header>
  <div class="brand"><span class="logo">filestore</span><span id="path" class="path"></span></div>
  <div class="status"><span id="status-dot" class="dot"></span><span id="status-text">connecting</span></div>
</header>
<main>
  <div id="error" class="banner" hidden></div>
  <section id="areas" class="cards" aria-label="Items per area"></section>
  <section class="row">
    <div class="panel chart-panel">
      <div class="panel-head">
        <h2>Throughput</h2>
        <div class="legend">
          <span class="key arrivals"></span>arrivals <b id="rate-arrivals">-</b>
          <span class="key completions"></span>completions <b id="rate-completions">-</b>
          <span class="muted">per second, last minute</span>
        </div>
      </div>
      <svg id="chart" role="img" aria-label="Arrivals and completions per second"></svg>
    </div>
    <div class="panel health">
      <h2>Health</h2>
      <dl>
        <dt>Oldest in new/</dt><dd id="age-new">-</dd>
        <dt>Oldest in cur/</dt><dd id="age-cur">-</dd>
        <dt>Claims in cur/</dt><dd id="claims">-</dd>
        <dt>Stuck claims <span id="lease" class="muted"></span></dt><dd id="stuck">-</dd>
      </dl>
      <div id="maintenance" class="buttons" hidden>
        <button type="button" id="recover">Recover stuck claims</button>
        <button type="button" id="clean">Clean tmp/</button>
      </div>
    </div>
  </section>
  <section id="failed-panel" class="panel" hidden>
    <div class="panel-head">
      <h2>Newest in <span id="failed-area"></span>/</h2>
      <span id="failed-note" class="muted"></span>
    </div>
    <table id="failed">
      <thead><tr><th>Name</th><th class="num">Attempts</th><th class="num">Size</th><th>Time</th><th></th></tr></thead>
      <tbody></tbody>
    </table>
    <p id="failed-empty" class="empty" hidden>Nothing here.</p>
  </section>
  <div id="toast" class="toast" role="status" hidden></div>
</main>
<footer id="footer"></footer>
</body>
</html>
`;

/** The style sheet. */
export const PAGE_CSS: string = `
:root {
  --bg: #f5f6f8; --panel: #fff; --text: #1d2330; --muted: #6b7385; --line: #e3e6ec;
  --blue: #2f6fde; --green: #1f9d6b; --amber: #d98a00; --red: #d6384a; --grey: #8a93a6;
  color-scheme: light dark;
}
@media (prefers-color-scheme: dark) {
  :root { --bg: #14171d; --panel: #1d222b; --text: #e6e9ef; --muted: #98a1b3; --line: #2c333f; }
}
* { box-sizing: border-box; }
body {
  margin: 0; background: var(--bg); color: var(--text);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
}
header {
  display: flex; justify-content: space-between; align-items: center; gap: 16px;
  padding: 14px 24px; background: var(--panel); border-bottom: 1px solid var(--line);
}
.brand { display: flex; align-items: baseline; gap: 12px; min-width: 0; }
.logo { font-weight: 700; font-size: 17px; letter-spacing: .2px; }
.path { color: var(--muted); font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 13px;
  overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.status { display: flex; align-items: center; gap: 8px; color: var(--muted); white-space: nowrap; }
.dot { width: 9px; height: 9px; border-radius: 50%; background: var(--grey); }
.dot.live { background: var(--green); box-shadow: 0 0 0 3px color-mix(in srgb, var(--green) 25%, transparent); }
.dot.down { background: var(--red); }
main { max-width: 1180px; margin: 0 auto; padding: 20px 24px 8px; }
.banner { background: color-mix(in srgb, var(--red) 12%, var(--panel)); border: 1px solid var(--red);
  color: var(--text); padding: 10px 14px; border-radius: 8px; margin-bottom: 16px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 12px; margin-bottom: 16px; }
.card { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 12px 16px;
  border-top: 3px solid var(--grey); }
.card.area-new { border-top-color: var(--blue); }
.card.area-cur { border-top-color: var(--amber); }
.card.area-done { border-top-color: var(--green); }
.card.area-failed { border-top-color: var(--red); }
.card .label { color: var(--muted); font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 13px; }
.card .count { font-size: 30px; font-weight: 650; font-variant-numeric: tabular-nums; line-height: 1.2; }
.card .meta { color: var(--muted); font-size: 12px; font-variant-numeric: tabular-nums; }
.row { display: grid; grid-template-columns: minmax(0, 2fr) minmax(260px, 1fr); gap: 12px; margin-bottom: 16px; }
@media (max-width: 820px) { .row { grid-template-columns: 1fr; } }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 14px 18px; }
.panel-head { display: flex; justify-content: space-between; align-items: baseline; gap: 12px; flex-wrap: wrap; }
h2 { font-size: 14px; font-weight: 650; margin: 0 0 10px; }
.legend { color: var(--text); font-size: 13px; display: flex; align-items: center; gap: 6px; flex-wrap: wrap; }
.legend b { font-variant-numeric: tabular-nums; margin-right: 10px; }
.key { display: inline-block; width: 12px; height: 3px; border-radius: 2px; }
.key.arrivals { background: var(--blue); }
.key.completions { background: var(--green); }
.muted { color: var(--muted); font-weight: 400; }
#chart { width: 100%; height: 200px; display: block; }
#chart .grid { stroke: var(--line); stroke-width: 1; }
#chart .axis { fill: var(--muted); font-size: 11px; font-family: inherit; }
#chart .line { fill: none; stroke-width: 2; stroke-linejoin: round; stroke-linecap: round; }
#chart .line.arrivals { stroke: var(--blue); }
#chart .line.completions { stroke: var(--green); }
#chart .area.arrivals { fill: color-mix(in srgb, var(--blue) 10%, transparent); stroke: none; }
#chart .waiting { fill: var(--muted); font-size: 13px; }
dl { display: grid; grid-template-columns: 1fr auto; gap: 8px 12px; margin: 0 0 14px; }
dt { color: var(--muted); }
dd { margin: 0; text-align: right; font-variant-numeric: tabular-nums; font-weight: 600; }
dd.bad { color: var(--red); }
.buttons { display: flex; gap: 8px; flex-wrap: wrap; }
button { font: inherit; font-size: 13px; padding: 5px 12px; border-radius: 6px; cursor: pointer;
  border: 1px solid var(--line); background: var(--panel); color: var(--text); }
button:hover { border-color: var(--blue); color: var(--blue); }
button.danger:hover { border-color: var(--red); color: var(--red); }
button:disabled { opacity: .5; cursor: default; }
table { width: 100%; border-collapse: collapse; table-layout: fixed; }
th { text-align: left; color: var(--muted); font-weight: 500; font-size: 12px; padding: 6px 8px;
  border-bottom: 1px solid var(--line); }
td { padding: 7px 8px; border-bottom: 1px solid var(--line); vertical-align: middle; }
tr:last-child td { border-bottom: none; }
th:nth-child(1) { width: auto; } th:nth-child(2) { width: 80px; } th:nth-child(3) { width: 90px; }
th:nth-child(4) { width: 150px; } th:nth-child(5) { width: 150px; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
td.name { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12.5px;
  overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
td.name .note { font-family: system-ui, sans-serif; color: var(--muted); font-size: 12px; }
td.actions { text-align: right; white-space: nowrap; }
td.actions button + button { margin-left: 6px; }
.empty { color: var(--muted); margin: 6px 0 2px; }
.toast { position: fixed; right: 20px; bottom: 20px; background: var(--text); color: var(--bg); padding: 9px 14px;
  border-radius: 8px; max-width: 480px; box-shadow: 0 4px 16px rgba(0,0,0,.18); }
.toast.bad { background: var(--red); color: #fff; }
footer { max-width: 1180px; margin: 0 auto; padding: 4px 24px 24px; color: var(--muted); font-size: 12px; }
[hidden] { display: none !important; }
`;

/** The script: polls `/api/stats` and draws the page from it. */
export const PAGE_JS: string = `"use strict";
(function () {
  var SVG = "http://www.w3.org/2000/svg";
  var state = { data: null, timer: 0, failed: "" };
  var TOKEN_KEY = "filestore-token";

  // The link carries the token in its fragment, which browsers never send: keep it in this tab's
  // sessionStorage (this origin only: scheme, host and port) and take it out of the address bar.
  function takeToken() {
    var match = /(?:^#|&)token=([^&]*)/.exec(location.hash);
    if (!match) return;
    try {
      sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(match[1]));
    } catch (error) {
      // No storage (a private mode): the token lives as long as the page.
      state.token = decodeURIComponent(match[1]);
    }
    history.replaceState(null, "", location.pathname + location.search);
  }
  function headers(extra) {
    var result = extra || {};
    var token = state.token;
    try { token = sessionStorage.getItem(TOKEN_KEY) || token; } catch (error) { /* see takeToken */ }
    if (token) result.Authorization = "Bearer " + token;
    return result;
  }

  function $(id) { return document.getElementById(id); }
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = String(text);
    return node;
  }
  function svg(tag, attributes, text) {
    var node = document.createElementNS(SVG, tag);
    for (var name in attributes) node.setAttribute(name, String(attributes[name]));
    if (text !== undefined) node.textContent = String(text);
    return node;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  function bytes(n) {
    if (n < 1024) return n + " B";
    var units = ["KiB", "MiB", "GiB", "TiB"], i = -1;
    do { n /= 1024; i++; } while (n >= 1024 && i < units.length - 1);
    return (n < 10 ? n.toFixed(1) : Math.round(n)) + " " + units[i];
  }
  function age(ms) {
    if (ms === null || ms === undefined) return "-";
    var s = Math.floor(ms / 1000);
    if (s < 60) return s + " s";
    var m = Math.floor(s / 60);
    if (m < 60) return m + " min" + (s % 60 ? " " + (s % 60) + " s" : "");
    var h = Math.floor(m / 60);
    if (h < 48) return h + " h" + (m % 60 ? " " + (m % 60) + " min" : "");
    return Math.floor(h / 24) + " d" + (h % 24 ? " " + (h % 24) + " h" : "");
  }
  function clock(t) {
    var d = new Date(t), now = new Date();
    var time = d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
    return d.toDateString() === now.toDateString() ? time : d.toLocaleDateString() + " " + time;
  }
  function rate(x) { return x >= 100 ? Math.round(x).toString() : x >= 10 ? x.toFixed(1) : x.toFixed(2); }

  function status(kind, text) {
    $("status-dot").className = "dot " + kind;
    $("status-text").textContent = text;
  }
  function banner(text) {
    $("error").hidden = !text;
    $("error").textContent = text || "";
  }
  var toastTimer = 0;
  function toast(text, bad) {
    var node = $("toast");
    node.textContent = text;
    node.className = bad ? "toast bad" : "toast";
    node.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { node.hidden = true; }, 5000);
  }

  function renderAreas(data) {
    var box = $("areas");
    clear(box);
    Object.keys(data.areas).forEach(function (area) {
      var summary = data.areas[area];
      var card = el("div", "card area-" + area);
      card.appendChild(el("div", "label", area + "/"));
      var count = el("div", "count", summary.count.toLocaleString("en-US"));
      count.id = "count-" + area;
      card.appendChild(count);
      var meta = bytes(summary.bytes);
      if (summary.count > 0) meta += " \\u00b7 oldest " + age(summary.oldestAgeMs);
      card.appendChild(el("div", "meta", meta));
      box.appendChild(card);
    });
  }

  function renderHealth(data) {
    $("age-new").textContent = data.areas.new.count ? age(data.areas.new.oldestAgeMs) : "empty";
    $("age-cur").textContent = data.areas.cur.count ? age(data.areas.cur.oldestAgeMs) : "empty";
    $("claims").textContent = data.claims.toLocaleString("en-US");
    $("stuck").textContent = data.stuck.toLocaleString("en-US");
    $("stuck").className = data.stuck > 0 ? "bad" : "";
    $("lease").textContent = "(lease " + age(data.lease) + ")";
    $("maintenance").hidden = !data.actions;
  }

  function renderChart(data) {
    var chart = $("chart");
    var width = Math.max(300, chart.clientWidth || 600), height = Math.max(120, chart.clientHeight || 200);
    var left = 40, right = 10, top = 10, bottom = 22;
    clear(chart);
    chart.setAttribute("viewBox", "0 0 " + width + " " + height);
    var history = data.history;
    var end = history.length ? history[history.length - 1].t : data.takenAt;
    var start = end - data.historyMs;
    var points = history.map(function (s) {
      var seconds = Math.max(s.elapsed, 1) / 1000;
      return { t: s.t, a: s.arrivals / seconds, c: s.completions / seconds };
    });
    var max = 0;
    points.forEach(function (p) { max = Math.max(max, p.a, p.c); });
    var scale = niceMax(max);
    function x(t) { return left + (t - start) / (end - start) * (width - left - right); }
    function y(v) { return top + (1 - v / scale) * (height - top - bottom); }
    for (var i = 0; i <= 4; i++) {
      var value = scale * i / 4;
      chart.appendChild(svg("line", { class: "grid", x1: left, x2: width - right, y1: y(value), y2: y(value) }));
      chart.appendChild(svg("text", { class: "axis", x: left - 6, y: y(value) + 4, "text-anchor": "end" },
        +value.toFixed(2)));
    }
    var minutes = Math.round(data.historyMs / 60000);
    for (var m = 0; m <= minutes; m++) {
      var t = end - m * 60000;
      if (t < start) break;
      chart.appendChild(svg("text", {
        class: "axis", x: x(t), y: height - 6, "text-anchor": m === 0 ? "end" : m === minutes ? "start" : "middle",
      }, m === 0 ? "now" : "\\u2212" + m + " min"));
    }
    if (points.length < 2) {
      chart.appendChild(svg("text", { class: "waiting", x: width / 2, y: height / 2, "text-anchor": "middle" },
        "collecting samples"));
      return;
    }
    var visible = points.filter(function (p) { return p.t >= start; });
    var area = visible.map(function (p) { return x(p.t) + "," + y(p.a); });
    area.unshift(x(visible[0].t) + "," + y(0));
    area.push(x(visible[visible.length - 1].t) + "," + y(0));
    chart.appendChild(svg("polygon", { class: "area arrivals", points: area.join(" ") }));
    ["a", "c"].forEach(function (key) {
      var line = visible.map(function (p) { return x(p.t) + "," + y(p[key]); }).join(" ");
      chart.appendChild(svg("polyline", { class: "line " + (key === "a" ? "arrivals" : "completions"), points: line }));
    });
  }
  // The top of the scale: four steps of a round size (0.25, 0.5, 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 times a power of 10).
  function niceMax(max) {
    var quarter = Math.max(max, 1) / 4;
    var power = Math.pow(10, Math.floor(Math.log10(quarter)));
    var steps = [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10];
    for (var i = 0; i < steps.length; i++) if (steps[i] * power >= quarter) return 4 * steps[i] * power;
    return 40 * power;
  }

  function renderRates(data) {
    var since = data.takenAt - 60000, arrivals = 0, completions = 0, elapsed = 0;
    data.history.forEach(function (s) {
      if (s.t <= since) return;
      arrivals += s.arrivals; completions += s.completions; elapsed += s.elapsed;
    });
    $("rate-arrivals").textContent = elapsed ? rate(arrivals / elapsed * 1000) : "-";
    $("rate-completions").textContent = elapsed ? rate(completions / elapsed * 1000) : "-";
  }

  function renderFailed(data) {
    $("failed-panel").hidden = !data.failedArea;
    if (!data.failedArea) return;
    $("failed-area").textContent = data.failedArea;
    var total = data.areas[data.failedArea].count, shown = data.failed.length;
    $("failed-note").textContent = total > shown ? shown + " of " + total.toLocaleString("en-US") : "";
    // Rebuilt only when it changed: buttons under the pointer stay put between polls.
    var signature = JSON.stringify([data.actions, data.failed]);
    if (signature === state.failed) return;
    state.failed = signature;
    var body = $("failed").tBodies[0];
    clear(body);
    $("failed-empty").hidden = data.failed.length > 0;
    $("failed").hidden = data.failed.length === 0;
    data.failed.forEach(function (item) {
      var row = el("tr");
      row.dataset.name = item.name;
      // Control characters and bytes that are not UTF-8 are shown escaped (caf\\xe9, a\\nb).
      var name = el("td", "name", item.display);
      name.title = item.display;
      if (!item.actionable) {
        name.appendChild(el("span", "note", " not valid UTF-8: move or delete it from a shell"));
        name.title += " \u2014 this name is not valid UTF-8: the dashboard cannot address it";
      }
      row.appendChild(name);
      row.appendChild(el("td", "num", item.attempts));
      row.appendChild(el("td", "num", item.size === null ? "-" : bytes(item.size)));
      var time = el("td", "", item.mtime === null ? "-" : clock(item.mtime));
      if (item.mtime !== null) time.title = new Date(item.mtime).toISOString();
      row.appendChild(time);
      var actions = el("td", "actions");
      if (data.actions && item.actionable) {
        var retry = el("button", "retry", "Retry");
        retry.type = "button";
        retry.title = "Move back to new/";
        retry.addEventListener("click", function () {
          act("retry", { area: data.failedArea, name: item.name }, retry, "Moved back to new/: ");
        });
        var remove = el("button", "danger delete", "Delete");
        remove.type = "button";
        remove.addEventListener("click", function () {
          if (!window.confirm("Delete " + item.display + "?")) return;
          act("delete", { area: data.failedArea, name: item.name }, remove, "Deleted: ");
        });
        actions.appendChild(retry);
        actions.appendChild(remove);
      }
      row.appendChild(actions);
      body.appendChild(row);
    });
  }

  function render(data) {
    state.data = data;
    $("path").textContent = data.path;
    $("path").title = data.path;
    document.title = "filestore \\u00b7 " + data.path;
    banner(data.error ? "Sampling failed: " + data.error : "");
    renderAreas(data);
    renderHealth(data);
    renderRates(data);
    renderChart(data);
    renderFailed(data);
    $("footer").textContent = "Sampled every " + data.interval / 1000 + " s. Arrivals are items entering new/ or " +
      "cur/, completions items leaving both; an item that passes through between two samples is counted when it " +
      "lands in another area (done/, failed/), and not seen when it is deleted.";
    status("live", "live \\u00b7 " + clock(data.takenAt));
  }

  function act(action, body, button, done) {
    if (button) button.disabled = true;
    return fetch("/api/actions/" + action, {
      method: "POST",
      credentials: "omit",
      headers: headers({ "Content-Type": "application/json" }),
      body: JSON.stringify(body),
    }).then(function (response) {
      return response.json().then(function (result) {
        if (!response.ok) throw new Error(result.error || response.statusText);
        var what = result.display || result.name || (result.recovered ? result.recovered.length + " claims" :
          result.removed ? result.removed.length + " files" : "");
        toast(done + what, false);
        return poll(true);
      });
    }).catch(function (error) {
      toast(error.message, true);
      if (button) button.disabled = false;
    });
  }

  function poll(once) {
    return fetch("/api/stats", { cache: "no-store", credentials: "omit", headers: headers() }).then(function (response) {
      if (response.status === 401) {
        throw new Error("This dashboard needs its token: open the link filestore serve printed (it ends in #token=...)");
      }
      if (!response.ok) throw new Error("The server answered " + response.status);
      return response.json();
    }).then(function (data) {
      render(data);
    }).catch(function (error) {
      status("down", "disconnected");
      banner(error.message);
    }).then(function () {
      if (once) return;
      var interval = state.data ? Math.max(500, state.data.interval) : 2000;
      state.timer = setTimeout(poll, interval);
    });
  }

  takeToken();
  document.addEventListener("DOMContentLoaded", function () {
    $("recover").addEventListener("click", function () {
      act("recover", {}, $("recover"), "Recovered ").then(function () { $("recover").disabled = false; });
    });
    $("clean").addEventListener("click", function () {
      act("clean", {}, $("clean"), "Cleaned ").then(function () { $("clean").disabled = false; });
    });
    window.addEventListener("hashchange", function () { takeToken(); poll(true); });
    window.addEventListener("resize", function () { if (state.data) renderChart(state.data); });
    poll(false);
  });
})();
`;
