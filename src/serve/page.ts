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
<script src="/queue.js" defer></script>
</head>
<body>
<header>
  <div class="brand"><span class="logo">filestore</span><span id="path" class="path"></span></div>
  <button type="button" id="pause" hidden>Pause</button>
  <div class="status"><span id="status-dot" class="dot"></span><span id="status-text">connecting</span></div>
</header>
<main>
  <div id="error" class="banner" hidden></div>
  <div id="paused" class="paused-banner" role="status" hidden>Paused: consumers claim nothing until the store is
    resumed (they finish what they hold).</div>
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
  <section id="failed-panel" class="panel section" hidden>
    <div class="panel-head">
      <h2>Newest in <span id="failed-area"></span>/</h2>
      <span id="failed-note" class="muted"></span>
    </div>
    <table id="failed">
      <thead><tr><th>Name</th><th class="num">Attempts</th><th class="num">Size</th><th>Time</th><th>Last error</th>
        <th></th></tr></thead>
      <tbody></tbody>
    </table>
    <p id="failed-empty" class="empty" hidden>Nothing here.</p>
  </section>
  <section id="delayed-panel" class="panel section" hidden>
    <div class="panel-head">
      <h2>Due soonest in delayed/</h2>
      <span id="delayed-note" class="muted"></span>
    </div>
    <table id="delayed">
      <thead><tr><th>Name</th><th class="num">Priority</th><th>Due</th><th>In</th><th class="num">Size</th></tr></thead>
      <tbody></tbody>
    </table>
    <p id="delayed-empty" class="empty" hidden>Nothing waiting.</p>
  </section>
  <section id="item-panel" class="panel section" hidden aria-live="polite">
    <div class="panel-head">
      <h2>Item <span id="item-name"></span></h2>
      <button type="button" id="item-close">Close</button>
    </div>
    <dl id="item-fields"></dl>
    <h2 id="item-content-head">First bytes</h2>
    <pre id="item-content"></pre>
    <div id="item-error-box" hidden>
      <h2>Last error</h2>
      <pre id="item-error"></pre>
    </div>
  </section>
  <div id="toast" class="toast" role="status" hidden></div>
</main>
<footer id="footer"></footer>
</body>
</html>
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
      var name = el("td", "name");
      name.appendChild(item.actionable ? opener(data.failedArea, item) : document.createTextNode(item.display));
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
      var error = el("td", "error", item.error ? errorLine(item.error) : "");
      if (item.error) error.title = errorText(item.error);
      row.appendChild(error);
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

  // A button with the item's name that opens it (queue.js draws the panel).
  function opener(area, item) {
    var button = el("button", "open", item.display);
    button.type = "button";
    button.title = "Open " + item.display;
    button.addEventListener("click", function () { if (ui.openItem) ui.openItem(area, item.name); });
    return button;
  }
  // One line: the message, the exit code, the last line of stderr.
  function errorLine(error) {
    var parts = [error.message];
    if (error.exitCode !== undefined) parts.push("exit code " + error.exitCode);
    if (error.stderr) {
      var lines = error.stderr.trim().split("\\n");
      parts.push(lines[lines.length - 1]);
    }
    return parts.join(" \\u00b7 ");
  }
  function errorText(error) {
    var text = error.message + "\\n(try " + error.attempts + ", " + error.at + ")";
    if (error.exitCode !== undefined) text += "\\nexit code " + error.exitCode;
    if (error.stderr) text += "\\n\\nstderr (end):\\n" + error.stderr;
    if (error.stack) text += "\\n\\n" + error.stack;
    return text;
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
    if (ui.renderQueue) ui.renderQueue(data);
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
        if (action === "pause" || action === "resume") what = "";
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

  // Shared with queue.js, which draws the delayed list, the pause button and the item panel.
  var ui = window.filestoreUi = {
    $: $, el: el, clear: clear, bytes: bytes, age: age, clock: clock, headers: headers, act: act, toast: toast,
    opener: opener, errorText: errorText,
  };

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
