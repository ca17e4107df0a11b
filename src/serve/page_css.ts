/**
 * The dashboard's style sheet, served as `/app.css` (the Content-Security-Policy forbids inline styles).
 *
 * @module
 */

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
.paused-banner { background: color-mix(in srgb, var(--amber) 14%, var(--panel)); border: 1px solid var(--amber);
  padding: 10px 14px; border-radius: 8px; margin-bottom: 16px; font-weight: 600; }
header.paused { border-bottom: 3px solid var(--amber); }
button.open { font: inherit; border: none; background: none; padding: 0; color: inherit; cursor: pointer;
  max-width: 100%; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; text-align: left; }
button.open:hover { color: var(--blue); text-decoration: underline; }
td.error { color: var(--red); font-size: 12.5px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
#failed th:nth-child(5) { width: 28%; } #failed th:nth-child(6) { width: 150px; }
#delayed th:nth-child(2) { width: 80px; } #delayed th:nth-child(3) { width: 170px; }
#delayed th:nth-child(4) { width: 110px; } #delayed th:nth-child(5) { width: 90px; }
.section { margin-bottom: 16px; }
#item-panel dl { grid-template-columns: auto 1fr; }
#item-panel dd { text-align: left; font-weight: 500; overflow-wrap: anywhere; }
pre { background: var(--bg); border: 1px solid var(--line); border-radius: 6px; padding: 10px; margin: 0 0 12px;
  font: 12.5px/1.4 ui-monospace, Menlo, Consolas, monospace; white-space: pre-wrap; overflow-wrap: anywhere;
  max-height: 360px; overflow: auto; }
footer { max-width: 1180px; margin: 0 auto; padding: 4px 24px 24px; color: var(--muted); font-size: 12px; }
[hidden] { display: none !important; }
`;
