/**
 * The dashboard's second script, `/queue.js`: the delayed list, the pause
 * button and the item panel. It uses the helpers `/app.js` shares on
 * `window.filestoreUi` and builds everything with `textContent` only.
 *
 * @module
 */

/** The script. */
export const QUEUE_JS: string = `"use strict";
(function () {
  var ui = window.filestoreUi;
  var $ = ui.$, el = ui.el;
  var state = { delayed: "", paused: null, open: null };

  // "in 3 min", "in 12 s", "2 s overdue".
  function until(ms) {
    if (ms <= 0) return ms > -1000 ? "now" : ui.age(-ms) + " overdue";
    return "in " + ui.age(ms);
  }

  function renderPause(data) {
    var paused = data.paused === true;
    $("paused").hidden = !paused;
    document.querySelector("header").classList.toggle("paused", paused);
    var button = $("pause");
    button.hidden = !data.actions;
    if (state.paused !== paused) {
      state.paused = paused;
      button.textContent = paused ? "Resume" : "Pause";
      button.title = paused ? "Let consumers claim again" : "Stop every consumer from claiming (they finish what they hold)";
      button.disabled = false;
    }
  }

  function renderDelayed(data) {
    var summary = data.areas.delayed;
    $("delayed-panel").hidden = !summary;
    if (!summary) return;
    var shown = data.delayed.length;
    $("delayed-note").textContent = summary.count > shown ? shown + " of " + summary.count.toLocaleString("en-US") : "";
    $("delayed-empty").hidden = shown > 0;
    $("delayed").hidden = shown === 0;
    var body = $("delayed").tBodies[0];
    var signature = JSON.stringify(data.delayed);
    if (signature !== state.delayed) {
      state.delayed = signature;
      ui.clear(body);
      data.delayed.forEach(function (item) {
        var row = el("tr");
        row.dataset.name = item.name;
        var name = el("td", "name");
        name.appendChild(item.actionable ? ui.opener("delayed", item) : document.createTextNode(item.display));
        name.title = item.display;
        row.appendChild(name);
        row.appendChild(el("td", "num", item.priority || 0));
        var due = el("td", "due", item.due ? ui.clock(Date.parse(item.due)) : "-");
        if (item.due) due.title = item.due;
        row.appendChild(due);
        var left = el("td", "until");
        left.dataset.due = item.due ? String(Date.parse(item.due)) : "";
        row.appendChild(left);
        row.appendChild(el("td", "num", item.size === null ? "-" : ui.bytes(item.size)));
        body.appendChild(row);
      });
    }
    // The countdown moves with every poll, the rows only when they change.
    Array.prototype.forEach.call(body.querySelectorAll("td.until"), function (cell) {
      cell.textContent = cell.dataset.due ? until(Number(cell.dataset.due) - data.takenAt) : "-";
    });
  }

  function field(list, label, value) {
    list.appendChild(el("dt", "", label));
    list.appendChild(el("dd", "", value));
  }

  // Shows the hex of the first bytes in lines of 16 bytes.
  function hexLines(hex) {
    var lines = [];
    for (var i = 0; i < hex.length; i += 32) {
      var pairs = hex.slice(i, i + 32).match(/../g) || [];
      lines.push(("0000" + (i / 2).toString(16)).slice(-5) + "  " + pairs.join(" "));
    }
    return lines.join("\\n");
  }

  function showItem(item) {
    $("item-panel").hidden = false;
    $("item-name").textContent = item.area + "/" + item.display;
    var list = $("item-fields");
    ui.clear(list);
    field(list, "Key", item.key);
    field(list, "Attempts", item.attempts);
    field(list, "Priority", item.priority);
    field(list, "Due", item.due ? item.due + " (" + until(Date.parse(item.due) - Date.now()) + ")" : "-");
    field(list, "Size", ui.bytes(item.size));
    field(list, "Modified", new Date(item.mtime).toISOString());
    $("item-content-head").textContent = (item.truncated ? "First 4 KiB of " + ui.bytes(item.size) : "Content") +
      (item.encoding === "hex" ? " (hex: not text)" : "");
    $("item-content").textContent = item.encoding === "hex" ? hexLines(item.content) : item.content;
    $("item-error-box").hidden = !item.error;
    $("item-error").textContent = item.error ? ui.errorText(item.error) : "";
  }

  ui.openItem = function (area, name) {
    state.open = { area: area, name: name };
    var query = "?area=" + encodeURIComponent(area) + "&name=" + encodeURIComponent(name);
    return fetch("/api/item" + query, { cache: "no-store", credentials: "omit", headers: ui.headers() })
      .then(function (response) {
        return response.json().then(function (result) {
          if (!response.ok) throw new Error(result.error || response.statusText);
          showItem(result);
          $("item-panel").scrollIntoView({ block: "nearest" });
        });
      }).catch(function (error) { ui.toast(error.message, true); });
  };

  ui.renderQueue = function (data) {
    renderPause(data);
    renderDelayed(data);
  };

  document.addEventListener("DOMContentLoaded", function () {
    $("pause").addEventListener("click", function () {
      var action = state.paused ? "resume" : "pause";
      state.paused = null; // redrawn from the next poll
      ui.act(action, {}, $("pause"), action === "pause" ? "Paused the store" : "Resumed the store");
    });
    $("item-close").addEventListener("click", function () {
      $("item-panel").hidden = true;
      state.open = null;
    });
  });
})();
`;
