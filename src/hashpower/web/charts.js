// hashpower dashboard: the chart library (plotly.min.js, served locally), the time charts' ranges and buttons,
// the history charts, the cost-rate chart and the outlook's fans. Loaded after app.js (its helpers and state).
"use strict";

// The chart library runs after the figures are filled (see main): parsing it blocks the page for a while.
let releaseCharts;
const chartsGate = new Promise((resolve) => (releaseCharts = resolve));
const plotlyReady = chartsGate.then(() => new Promise((resolve, reject) => {
  if (window.Plotly) return resolve(window.Plotly);
  const s = document.createElement("script");
  s.src = "/static/plotly.min.js";
  s.id = "plotly-js";
  s.onload = () => resolve(window.Plotly);
  s.onerror = () => reject(new Error("the chart library /static/plotly.min.js did not load"));
  document.head.append(s);
}));

// The mode bar shows on hover, in the top margin above the plot area (margin.t >= MODEBAR_PX): it covers no data.
// No upload button (nothing leaves the machine), and few enough buttons to leave room for the range buttons.
const CONFIG = {
  displaylogo: false, responsive: true, displayModeBar: "hover",
  modeBarButtonsToRemove: ["sendChartToCloud", "sendDataToCloud", "lasso2d", "select2d", "zoomIn2d", "zoomOut2d",
    "autoScale2d", "toggleSpikelines", "hoverClosestCartesian", "hoverCompareCartesian"],
};
const MODEBAR_PX = 30; // the mode bar's band at the top of a chart [px]
const BUTTONS_PX = 64; // the mode bar's band and, below it, the range buttons [px]

const dark = () => Boolean(window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches);

function layout(extra) {
  return {
    margin: { l: 60, r: 16, t: MODEBAR_PX, b: 44 },
    paper_bgcolor: "rgba(0,0,0,0)",
    plot_bgcolor: "rgba(0,0,0,0)",
    font: { family: "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", size: 12, color: dark() ? "#ddd" : "#222" },
    hovermode: "closest",
    showlegend: false,
    ...extra,
  };
}

const axisTitle = (text, standoff = 4) => ({ text, standoff });

const dateLine = (day) => ({
  type: "line", xref: "x", yref: "paper", x0: day, x1: day, y0: 0, y1: 1,
  line: { color: "#888", width: 1, dash: "dot" },
});

// ------------------------------------------------------------------ time charts: ranges, buttons, y fitted to the view

//: The first ASIC miners shipped in January 2013 (Canaan's Avalon batch 1): the hashrate chart's default start.
const ASIC_START = "2013-01-01";
// Range buttons of the history charts (plotly rangeselector: back from the range's end), token -> months
const BACK = [["1m", 1, "1M"], ["1y", 12, "1Y"], ["5y", 60, "5Y"], ["all", 0, "ALL"]];
// Range buttons of the charts of the months ahead (from their first month), token -> months
const FORWARD = [["6m", 6, "6M"], ["1y", 12, "1Y"], ["all", 0, "ALL"]];
// The time charts by state key (state.ranges[key], the address's <key>_range but for the local ones).
// back: span = [first, last] day of the data; forward: points = the first day of each month shown.
const TIME = {
  hashprice: { ids: ["chart-hashprice"], kind: "back" },
  hashrate: { ids: ["chart-hashrate"], kind: "back", start: ASIC_START },
  concentration: { ids: ["chart-concentration"], kind: "back", minPad: { yaxis2: 0.5 } },
  outlook: { ids: ["chart-outlook-hashrate", "chart-outlook-hashprice"], kind: "forward" },
  fleet: { ids: ["chart-fleet-fan"], kind: "forward", local: true }, // the fleet is not in the address either
};
const RANGE_TOKEN = /^(1m|6m|1y|5y|all|\d{4}-\d{2}-\d{2}\.\.\d{4}-\d{2}-\d{2})$/;

const day10 = (v) => String(v).slice(0, 10);

/** The day ``months`` months from ``day`` (YYYY-MM-DD), as plotly's range buttons count (d3's UTC offsets). */
function shiftMonths(day, months) {
  const d = new Date(`${day10(day)}T00:00:00Z`);
  if (months % 12 === 0) d.setUTCFullYear(d.getUTCFullYear() + months / 12);
  else d.setUTCMonth(d.getUTCMonth() + months);
  return d.toISOString().slice(0, 10);
}

const shiftDays = (day, days) => new Date(Date.parse(`${day10(day)}T00:00:00Z`) + days * 864e5).toISOString().slice(0, 10);

/** The x range [first, last day] a range token means on a time chart ("" is the chart's default). */
function rangeOf(key, token) {
  const t = TIME[key];
  const custom = /^(.{10})\.\.(.{10})$/.exec(token || "");
  if (custom) return [custom[1], custom[2]];
  if (t.kind === "forward") {
    const months = (FORWARD.find(([k]) => k === token) || [null, 0])[1];
    const n = months ? Math.min(months, t.points.length) : t.points.length;
    return [shiftDays(t.points[0], -15), shiftDays(t.points[n - 1], 15)];
  }
  const [first, last] = t.span;
  const months = (BACK.find(([k]) => k === token) || [null, 0])[1];
  if (months) return [shiftMonths(last, -months), last];
  if (!token && t.start && t.start > first) return [t.start, last];
  return [first, last];
}

const sameRange = (a, b) => day10(a[0]) === day10(b[0]) && day10(a[1]) === day10(b[1]);

/** The token of an x range: "" for the chart's default, a button's, or "first..last". */
function tokenOf(key, range) {
  if (sameRange(range, rangeOf(key, ""))) return "";
  for (const [token] of TIME[key].kind === "forward" ? FORWARD : BACK) if (sameRange(range, rangeOf(key, token))) return token;
  return `${day10(range[0])}..${day10(range[1])}`;
}

/** A history chart's whole span: drawn by autorange (clipped to the data), which lights its ALL button. */
const isSpan = (key, r) => TIME[key].kind === "back" && sameRange(r, TIME[key].span);

/** The date x axis of a time chart at the state's range, with its range buttons (back) and title. */
function timeAxis(key, title) {
  const t = TIME[key];
  const r = rangeOf(key, state.ranges[key]);
  const ax = { type: "date", title: axisTitle(title), automargin: true };
  if (t.kind === "forward") return { ...ax, range: r, autorange: false, hoverformat: "%Y-%m" };
  const bg = dark() ? { bgcolor: "#2c3340", activecolor: "#56627a" } : { bgcolor: "#eef0f3", activecolor: "#cfd5de" };
  return {
    ...ax, ...(isSpan(key, r) ? { autorange: true } : { range: r, autorange: false }),
    autorangeoptions: { clipmin: t.span[0], clipmax: t.span[1] }, hoverformat: "%Y-%m-%d",
    rangeselector: { x: 0, y: 1, xanchor: "left", yanchor: "bottom", font: { size: 11 }, ...bg,
      buttons: BACK.map(([, months, label]) => (months ? { count: months % 12 ? months : months / 12,
        step: months % 12 ? "month" : "year", stepmode: "backward", label } : { step: "all", label })) },
  };
}

/** The range buttons of a chart of the months ahead (plotly's own count back from the end: these count forward). */
function forwardMenu(key) {
  const t = TIME[key];
  const shown = FORWARD.filter(([, months]) => !months || months < t.points.length);
  const active = shown.findIndex(([token]) => sameRange(rangeOf(key, token), rangeOf(key, state.ranges[key])));
  return [{ type: "buttons", direction: "right", x: 0, xanchor: "left", y: 1, yanchor: "bottom", showactive: true,
    active, pad: { t: 0, r: 0, b: 2, l: 0 }, font: { size: 11 }, bgcolor: dark() ? "#2c3340" : "#eef0f3",
    buttons: shown.map(([token, , label]) => ({ label, method: "relayout",
      args: [{ "xaxis.range": rangeOf(key, token), "xaxis.autorange": false }] })) }];
}

/** Fit the y axes of a time chart to the data inside its x range (plotly's autorange would span every day). */
function fitY(el, key) {
  const lay = el._fullLayout;
  if (!lay || !el.layout.xaxis.range) return Promise.resolve();
  const [a, b] = el.layout.xaxis.range.map(String);
  const ext = {};
  for (const tr of el.data) {
    if (tr.visible === false || !tr.x || !tr.y) continue;
    const ax = tr.yaxis === "y2" ? "yaxis2" : "yaxis";
    const log = lay[ax].type === "log";
    const e = (ext[ax] ||= [Infinity, -Infinity]);
    for (let i = 0; i < tr.x.length; i++) {
      const x = String(tr.x[i]);
      const xd = x.length === 7 ? `${x}-01` : x;
      const y = tr.y[i];
      if (xd < a || xd > b || !num(y) || (log && y <= 0)) continue;
      if (y < e[0]) e[0] = y;
      if (y > e[1]) e[1] = y;
    }
  }
  const upd = {};
  for (const [ax, [lo, hi]] of Object.entries(ext)) {
    if (!(lo <= hi)) continue;
    const log = lay[ax].type === "log";
    const [l, h] = log ? [Math.log10(lo), Math.log10(hi)] : [lo, hi];
    // a margin of 2 % of the span on a log axis (decades: 5 % of 8 would more than double the top), 5 % on a linear
    const minPad = (TIME[key].minPad || {})[ax] || (log ? 0.05 : Math.abs(h) * 0.02 || 1);
    const pad = Math.max((log ? 0.02 : 0.05) * (h - l), minPad);
    upd[`${ax}.range`] = [l - pad, h + pad];
  }
  if (TIME[key].kind === "forward" && lay.updatemenus && lay.updatemenus.length) {
    const shown = el.layout.updatemenus[0].buttons.map((btn) => btn.args[0]["xaxis.range"]);
    upd["updatemenus[0].active"] = shown.findIndex((r) => sameRange(r, el.layout.xaxis.range));
  }
  return window.Plotly.relayout(el, upd);
}

/** Apply the state's range of a time chart (after a reload, or the back button) and fit its y axes. */
async function applyRange(key) {
  const t = TIME[key];
  const Plotly = await plotlyReady;
  if (!(t.span || t.points)) return;
  const r = rangeOf(key, state.ranges[key]); // after the wait: the span of the data drawn by then
  for (const id of t.ids) {
    const el = $(id);
    if (!el._fullLayout) continue;
    await Plotly.relayout(el, isSpan(key, r) ? { "xaxis.autorange": true } : { "xaxis.range": r, "xaxis.autorange": false });
    await fitY(el, key);
  }
}

/** After a chart is drawn: record a user's range (buttons, zoom, pan) in the state and the address, fit y. */
function wireTime(key, el) {
  if (el.dataset.wired) return fitY(el, key);
  el.dataset.wired = "1";
  el.on("plotly_relayout", (e) => {
    if (!Object.keys(e).some((k) => k.startsWith("xaxis.range") || k === "xaxis.autorange")) return;
    const t = TIME[key];
    if (t.kind === "forward" && e["xaxis.autorange"]) { // a double click: the whole forecast
      state.ranges[key] = "";
      applyRange(key);
      if (!t.local) saveView();
      return;
    }
    const now = el.layout.xaxis.range;
    if (!sameRange(now, rangeOf(key, state.ranges[key]))) {
      state.ranges[key] = tokenOf(key, now);
      if (!t.local) saveView();
      if (t.ids.length > 1) applyRange(key); // the outlook's two charts show the same months
    }
    fitY(el, key);
  });
  return fitY(el, key);
}

// Plotly resizes a responsive chart with the window; a change of its box alone (a panel opening, a scroll bar)
// is followed here.
const resizer = typeof ResizeObserver === "function" ? new ResizeObserver((entries) => {
  for (const en of entries) if (en.target._fullLayout && window.Plotly) window.Plotly.Plots.resize(en.target);
}) : null;
const observe = (el) => resizer && !el.dataset.observed && (el.dataset.observed = "1") && resizer.observe(el);

// ------------------------------------------------------------------ history charts

let historyDrawn = false;
let costChart = Promise.resolve();
let markedDate = null;

function markDate(day) {
  markedDate = day;
  if (!historyDrawn) return;
  for (const id of ["chart-hashprice", "chart-hashrate"]) window.Plotly.relayout(id, { shapes: [dateLine(day)] });
}

async function drawHashprice(rows) {
  // /v1/daily's hashprice (hashpower.hashprice_daily: Luxor's formula, per PH/s); after the last day with fee data
  // its fees are the figures' estimate (fees_estimated), drawn apart and labelled.
  const x = [], y = [], lowX = [], lowY = [], ex = [], ey = [];
  let low = Infinity;
  for (const r of rows) {
    const v = r.hashprice_usd_per_ph_day;
    if (!num(v) || v <= 0) continue;
    if (r.fees_estimated) {
      if (!ex.length && x.length) { ex.push(x[x.length - 1]); ey.push(y[y.length - 1]); }
      ex.push(r.date);
      ey.push(v);
    } else {
      x.push(r.date);
      y.push(v);
    }
    if (v < low) {
      if (low !== Infinity) {
        lowX.push(r.date);
        lowY.push(v);
      }
      low = v;
    }
  }
  const Plotly = await plotlyReady;
  const traces = [
    { x, y, type: "scatter", mode: "lines", name: "hashprice", line: { color: "#f2a900", width: 1.2 },
      hovertemplate: "%{x}: %{y:,.2f} USD/PH/day<extra></extra>" },
    { x: lowX, y: lowY, type: "scatter", mode: "markers", name: "record low", marker: { color: "#d62728", size: 4 },
      hovertemplate: "record low %{x}: %{y:,.2f}<extra></extra>" },
  ];
  if (ex.length) {
    traces.splice(1, 0, { x: ex, y: ey, type: "scatter", mode: "lines", name: "hashprice, fees estimated",
      line: { color: "#f2a900", width: 1.2, dash: "dot" },
      hovertemplate: "%{x}: %{y:,.2f} USD/PH/day (fees estimated: no fee data)<extra></extra>" });
  }
  TIME.hashprice.span = [x[0], ex.length ? ex[ex.length - 1] : x[x.length - 1]];
  const el = $("chart-hashprice");
  await Plotly.react(el, traces, layout({
    margin: { l: 60, r: 16, t: BUTTONS_PX, b: 44 },
    yaxis: { type: "log", title: axisTitle("USD/PH/day (log scale)"), fixedrange: true, automargin: true },
    xaxis: timeAxis("hashprice", "day (UTC)"), shapes: markedDate ? [dateLine(markedDate)] : [] }), CONFIG);
  const all = ex.length ? y.concat(ey.slice(1)) : y;
  el.dataset.points = String(all.length);
  el.dataset.last = String(all[all.length - 1]);
  el.dataset.lastDay = TIME.hashprice.span[1];
  el.dataset.estimatedFrom = ex.length > 1 ? ex[1] : "";
  el.dataset.recordLows = String(lowX.length);
  observe(el);
  await wireTime("hashprice", el);
}

const hashrateTitle = () => (state.scale === "log" ? "EH/s (log scale)" : "EH/s");

async function drawHashrate(rows) {
  // /v1/daily's 7-day hashrate (hashpower.hashrate_daily: the window's work over its time), the network card's.
  const shown = rows.filter((r) => num(r.hashrate_7d_ehs) && r.hashrate_7d_ehs > 0);
  const x = shown.map((r) => r.date), y = shown.map((r) => r.hashrate_7d_ehs);
  TIME.hashrate.span = [x[0], x[x.length - 1]];
  const Plotly = await plotlyReady;
  const el = $("chart-hashrate");
  await Plotly.react(el, [
    { x, y, type: "scatter", mode: "lines", name: "hashrate", line: { color: "#1f77b4", width: 1.2 },
      hovertemplate: "%{x}: %{y:,.3~f} EH/s<extra></extra>" },
  ], layout({ margin: { l: 60, r: 16, t: BUTTONS_PX, b: 44 },
    yaxis: { type: state.scale, title: axisTitle(hashrateTitle()), fixedrange: true, automargin: true,
      exponentformat: "none", separatethousands: true },
    xaxis: timeAxis("hashrate", "day (UTC)"), shapes: markedDate ? [dateLine(markedDate)] : [] }), CONFIG);
  el.dataset.points = String(x.length);
  el.dataset.last = String(y[y.length - 1]);
  el.dataset.lastDay = x[x.length - 1];
  observe(el);
  await wireTime("hashrate", el);
}

/** The hashrate chart's y scale (log or linear) as in the state; its switch shows which. */
async function applyScale() {
  pressRow("#hashrate-scale", "scale", state.scale);
  const el = $("chart-hashrate");
  el.dataset.scale = state.scale;
  if (!el._fullLayout || el._fullLayout.yaxis.type === state.scale) return;
  await window.Plotly.relayout(el, { "yaxis.type": state.scale, "yaxis.title.text": hashrateTitle() });
  await fitY(el, "hashrate");
}

const scaleInit = () => toggleRow("#hashrate-scale", "scale", "scale", applyScale);

const GEN_COLORS = { latest: "#2ca02c", mid: "#1f77b4", old: "#ff7f0e", obsolete: "#7f7f7f" };

async function drawCostRate(rows) {
  const Plotly = await plotlyReady;
  const shown = rows.filter((m) => Number.isFinite(m.cost_rate) && m.cost_rate > 0);
  const el = $("chart-cost-rate");
  await Plotly.react(el, [{
    type: "bar",
    x: shown.map((m) => m.model),
    y: shown.map((m) => m.cost_rate * 100),
    marker: { color: shown.map((m) => GEN_COLORS[m.generation] || "#999") },
    customdata: shown.map((m) => m.generation),
    hovertemplate: "%{x} (%{customdata}): %{y:,.0f}%<extra></extra>",
  }], layout({
    yaxis: { type: "log", title: axisTitle("cost rate, % (log scale)"), tickvals: [10, 20, 50, 100, 200, 500, 1000,
      2000, 5000], ticksuffix: "%", automargin: true, fixedrange: true },
    // the colours' key is the list under the chart, not the axis title (which a phone's width would cut)
    xaxis: { showticklabels: false, title: axisTitle("machine models, cheapest first"), fixedrange: true },
    shapes: [{ type: "line", xref: "paper", yref: "y", x0: 0, x1: 1, y0: 100, y1: 100, line: { color: "#d62728", width: 1.5 } }],
    annotations: [{ xref: "paper", yref: "y", x: 0, y: Math.log10(100), text: "100%: breakeven", showarrow: false,
      yanchor: "bottom", xanchor: "left", font: { color: "#d62728" } }],
  }), CONFIG);
  el.dataset.bars = String(shown.length);
  observe(el);
}

async function loadHistoryCharts() {
  const [hp, hr] = await Promise.all([
    api("/v1/daily", { series: "hashprice", columns: "hashprice_usd_per_ph_day,fees_estimated,price_usd" }),
    api("/v1/daily", { series: "hashrate", columns: "hashrate_7d_ehs" }),
  ]);
  // The date picker spans the days with a price (hashprice needs one).
  const priced = hp.data.filter((r) => r.price_usd !== null);
  if (priced.length) {
    const first = priced[0].date, last = priced[priced.length - 1].date;
    Object.assign($("date"), { min: first, max: last });
    $("data-range").textContent = `Data ${first} to ${last}.`;
  }
  await Promise.all([drawHashprice(hp.data), drawHashrate(hr.data)]);
  historyDrawn = true;
  if (markedDate) markDate(markedDate);
}

// ------------------------------------------------------------------ outlook (a heavy request: loaded after the figures)

const OUTLOOK = { months: 24, paths: 1000 };
const CURVE_LABEL = "forward hashprice curve (model forecast, not a market quote)";
const FAN = { band90: "rgba(31, 119, 180, 0.18)", band50: "rgba(31, 119, 180, 0.4)", median: "#1f77b4", mean: "#d62728" };
const COVERAGE_HORIZONS = [3, 6, 12];
const COVERAGE_SERIES = [["hashrate_ehs", "hashrate"], ["hashprice_usd_per_ph_day", "hashprice"]];
let outlookChart = Promise.resolve();

/** The p5-p95 and p25-p75 bands (each a pair of traces, the lower filled up to the upper) and the p50 line. */
function fanTraces(rows, key, unit, digits) {
  const x = rows.map((r) => r.month);
  const q = (k) => rows.map((r) => r[key][k]);
  const edge = { type: "scatter", mode: "lines", x, line: { width: 0 }, hoverinfo: "skip" };
  const f = `:,.${digits}f`;
  return [
    { ...edge, y: q("p95"), name: "p95" },
    { ...edge, y: q("p5"), name: "p5-p95", fill: "tonexty", fillcolor: FAN.band90 },
    { ...edge, y: q("p75"), name: "p75" },
    { ...edge, y: q("p25"), name: "p25-p75", fill: "tonexty", fillcolor: FAN.band50 },
    { type: "scatter", mode: "lines+markers", x, y: q("p50"), name: "median (p50)",
      line: { color: FAN.median, width: 2 }, marker: { size: 4 },
      customdata: rows.map((r) => [r[key].p5, r[key].p25, r[key].p75, r[key].p95]),
      hovertemplate: `%{x}: median %{y${f}} ${unit}<br>p25-p75 %{customdata[1]${f}} - %{customdata[2]${f}}` +
        `<br>p5-p95 %{customdata[0]${f}} - %{customdata[3]${f}}<extra></extra>` },
  ];
}

async function drawOutlook(d) {
  const rows = d.months;
  TIME.outlook.points = rows.map((r) => `${r.month}-01`);
  const Plotly = await plotlyReady;
  const frame = () => ({ xaxis: timeAxis("outlook", "month"), updatemenus: forwardMenu("outlook"),
    margin: { l: 60, r: 16, t: BUTTONS_PX, b: 44 } });
  await Plotly.react("chart-outlook-hashrate", fanTraces(rows, "hashrate_ehs", "EH/s", 0),
    layout({ ...frame(), yaxis: { title: axisTitle("EH/s"), fixedrange: true, automargin: true } }), CONFIG);
  const curve = d.forward_hashprice_curve;
  await Plotly.react("chart-outlook-hashprice", [
    ...fanTraces(rows, "hashprice_usd_per_ph_day", "USD/PH/day", 2),
    { type: "scatter", mode: "lines", x: curve.months, y: curve.usd_per_ph_day, name: CURVE_LABEL,
      line: { color: FAN.mean, width: 1.5, dash: "dash" },
      hovertemplate: "%{x}: mean %{y:,.2f} USD/PH/day<br>forward hashprice curve<br>" +
        "(model forecast, not a market quote)<extra></extra>" },
  ], layout({ ...frame(), yaxis: { title: axisTitle("USD/PH/day"), fixedrange: true, automargin: true } }), CONFIG);
  for (const id of TIME.outlook.ids) {
    $(id).dataset.months = String(rows.length);
    $(id).dataset.start = d.start;
    $(id).dataset.lastMonth = rows[rows.length - 1].month;
    observe($(id));
    await wireTime("outlook", $(id));
  }
}

/** The backtest's coverage of the bands at 3 / 6 / 12 months, or why there is none. */
function coverageNote(d) {
  const bt = d.backtest || {};
  const m = bt.metrics;
  const el = $("outlook-coverage");
  const parts = [];
  if (m) {
    for (const [key, label] of COVERAGE_SERIES) {
      const cells = COVERAGE_HORIZONS.filter((h) => m[key] && m[key][String(h)] && num(m[key][String(h)].coverage_90))
        .map((h) => `${h} mo ${pct(m[key][String(h)].coverage_90, 0)} / ${pct(m[key][String(h)].coverage_50, 0)}`);
      if (cells.length) parts.push(`${label} ${cells.join(", ")}`);
    }
  }
  el.dataset.coverage = parts.length ? "1" : "0";
  if (!parts.length) {
    el.textContent = "Backtest coverage: no backtest is recorded with this version, so the bands' coverage is not scored.";
    return;
  }
  const over = bt.origins ? ` over ${bt.origins} past origins` : "";
  const upto = bt.data_last_day ? ` (data to ${bt.data_last_day})` : "";
  el.textContent = `Backtest coverage${over}${upto}, share of outcomes inside the 90% / 50% bands ` +
    `(nominal 90% / 50%): ${parts.join("; ")}.`;
}

function renderOutlook(d) {
  $("outlook-caption").textContent = `${d.months.length} months from ${d.start}`;
  $("outlook-status").textContent =
    `${fmt(d.paths, 0)} simulated paths, preset ${d.preset}, seed ${d.seed}; price: ${d.price_view}. ` +
    "A model forecast from the store's latest day (not the chosen day), not a market quote.";
  $("outlook-curve-label").textContent = CURVE_LABEL;
  coverageNote(d);
  $("outlook").dataset.start = d.start;
  outlookChart = drawOutlook(d).catch((e) => setError("chart", e.message));
}

async function loadOutlook() {
  await load("outlook", "/v1/outlook", OUTLOOK, renderOutlook);
  if (errors.has("outlook")) $("outlook-status").textContent = "the outlook could not be computed (see above)";
  await outlookChart;
}
