// hashpower dashboard: vanilla JS over the /v1 API; charts with the locally served plotly.min.js.
"use strict";

const $ = (id) => document.getElementById(id);
const POOL_NOTE = "pool data ends on";

// ------------------------------------------------------------------ formatting

const num = (x) => typeof x === "number" && Number.isFinite(x);
const nf = (digits) => new Intl.NumberFormat("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const fmt = (x, digits = 2) => {
  if (!num(x)) return "n/a";
  return x !== 0 && Math.abs(x) < 0.5 * 10 ** -digits ? x.toPrecision(3) : nf(digits).format(x); // tiny: 3 digits
};
const pct = (x, digits = 1) => (num(x) ? `${fmt(100 * x, digits)}%` : "n/a");

/** A number with a scale suffix: scaled(3.2e7, "$", ["B", "M", "k"]) -> "$32.00M". */
function scaled(x, prefix, suffixes) {
  if (!num(x)) return "n/a";
  const steps = { T: 1e12, B: 1e9, G: 1e9, M: 1e6, k: 1e4 };
  for (const sfx of suffixes) {
    if (Math.abs(x) >= steps[sfx]) return `${prefix}${fmt(x / (sfx === "k" ? 1e3 : steps[sfx]), sfx === "k" ? 1 : 2)}${sfx}`;
  }
  return `${prefix}${fmt(x, 2)}`;
}
const usd = (x) => scaled(x, "$", ["B", "M", "k"]);
const sci = (x) => scaled(x, "", ["T", "G", "M"]);

/** Fill a figure: the text, and the raw value in data-value (for scripts and tests). */
function put(id, text, value) {
  const el = $(id);
  el.textContent = text;
  if (value === undefined || value === null) delete el.dataset.value;
  else el.dataset.value = String(value);
  return el;
}

// ------------------------------------------------------------------ API access and errors

class ApiError extends Error {}

const errors = new Map(); // key -> message

/** Show (or clear, with no message) the error of one figure group in #error; grey out the group's stale figures. */
function setError(key, msg) {
  if (msg) errors.set(key, msg);
  else errors.delete(key);
  for (const el of document.querySelectorAll(`[data-group="${key}"]`)) el.classList.toggle("stale", Boolean(msg));
  const box = $("error");
  box.replaceChildren(...[...errors.values()].map((m) => Object.assign(document.createElement("p"), { textContent: m })));
  box.classList.toggle("shown", errors.size > 0);
}

async function api(path, params = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== "") q.set(k, v);
  const qs = q.toString();
  const url = qs ? `${path}?${qs}` : path;
  let resp;
  try {
    resp = await fetch(url, { headers: { Accept: "application/json" }, signal: AbortSignal.timeout(30000) });
  } catch (e) {
    throw new ApiError(`${path}: the server did not answer (${e.message})`);
  }
  const body = await resp.json().catch(() => null);
  if (!resp.ok) {
    const detail = body && body.detail ? body.detail : resp.statusText;
    throw new ApiError(`${path} (HTTP ${resp.status}): ${typeof detail === "string" ? detail : JSON.stringify(detail)}`);
  }
  return body;
}

// Each figure group keeps a sequence number so a slow, stale answer never overwrites a newer one.
const seq = {};

async function load(key, path, params, render) {
  const token = (seq[key] = (seq[key] || 0) + 1);
  try {
    const data = await api(path, params);
    if (token !== seq[key]) return;
    noteFreshness(data);
    render(data);
    setError(key, null);
  } catch (e) {
    if (token !== seq[key]) return;
    setError(key, e instanceof ApiError ? e.message : `${path}: ${e.message}`);
    if (!(e instanceof ApiError)) console.error(e);
  }
}

// ------------------------------------------------------------------ state

const state = { date: "", power: "0.06", securityLast: null, securityLatest: null };

const dateParam = () => state.date || null;

// ------------------------------------------------------------------ figures

function renderHashprice(d) {
  put("hashprice", fmt(d.usd_per_ph_day, 2), d.usd_per_ph_day).dataset.date = d.date;
  put("hashprice-date", d.date, d.date);
  put("btc-price", usd(d.price_usd), d.price_usd);
  put("hashprice-btc", fmt(d.btc_per_ph_day, 6), d.btc_per_ph_day);
  put("difficulty", sci(d.difficulty), d.difficulty);
  if (!$("date").value) $("date").value = d.date;
  securityNote();
  markDate(d.date);
}

function renderIndex(d) {
  put("index", fmt(d.sustainability_index, 1), d.sustainability_index).dataset.date = d.date;
  put("index-band", d.band || "n/a", d.band);
  // the 30-day rule of models/network.py notable(): "lowest since D" only after 30 days at the low, else the change
  const n = d.notable;
  put("index-lowest-since", n ? n.text : d.lowest_since || "no earlier low", n ? n.since : d.lowest_since);
}

function renderNetwork(d) {
  put("hashrate-7d", fmt(d.hashrate_ehs_7d, 1), d.hashrate_ehs_7d).dataset.date = d.date;
  put("hashrate-30d", `${fmt(d.hashrate_ehs_30d, 1)} EH/s`, d.hashrate_ehs_30d);
  const dd = d.drawdown || {};
  put("drawdown", dd.peak_date ? `−${pct(dd.depth)}` : "none", dd.depth);
  put("drawdown-dates", dd.peak_date ? `${dd.peak_date} → ${dd.trough_date}` : "–", dd.peak_date);
  const gw = d.power_gw || {};
  put("power-best", fmt(gw.best, 1), gw.best).dataset.powerPrice = String(d.power_price_usd_per_kwh);
  put("power-lower", `${fmt(gw.lower, 1)} GW`, gw.lower);
  put("power-upper", `${fmt(gw.upper, 1)} GW`, gw.upper);
  const twh = d.energy_twh_per_year || {};
  put("energy-best", `${fmt(twh.best, 0)} TWh/yr`, twh.best);
  $("power-at").textContent = `at ${d.power_price_usd_per_kwh} USD/kWh`;
  put("profitable-models", String(d.profitable_models ?? "n/a"), d.profitable_models);
  renderIndicators(d.date, d.indicators || {});
}

/** Hash Ribbons' state and the two Puell multiples of the network figures' day. */
function renderIndicators(day, ind) {
  const hr = ind.hash_ribbons || {};
  const since = hr.state === "capitulation" ? ` (${hr.capitulation_days} days)` : "";
  const el = put("ribbon-state", hr.state ? `${hr.state}${since}` : "n/a", hr.state);
  el.dataset.date = day;
  el.className = `fig ribbon-${hr.state || "none"}`;
  put("ribbon-smas", `${fmt(hr.hashrate_ehs_sma_30d, 1)} / ${fmt(hr.hashrate_ehs_sma_60d, 1)} EH/s`,
    hr.hashrate_ehs_sma_30d);
  put("ribbon-buy", hr.last_buy_signal_date || "none", hr.last_buy_signal_date);
  put("puell", fmt(ind.puell_multiple, 2), ind.puell_multiple);
  put("puell-adjusted", fmt(ind.puell_multiple_difficulty_adjusted, 2), ind.puell_multiple_difficulty_adjusted);
  $("indicators-date").textContent = `on ${day}`;
}

function renderSecurity(d) {
  put("security-budget", usd(d.security_budget_usd_per_day), d.security_budget_usd_per_day).dataset.date = d.date;
  put("fee-share", pct(d.fee_share, 2), d.fee_share);
  put("hhi", fmt(d.hhi, 0), d.hhi);
  // no pool data on the day: the concentration is null, with its reason
  put("nakamoto", d.nakamoto_coefficient == null ? "n/a" : String(d.nakamoto_coefficient), d.nakamoto_coefficient);
  const rent = d.attack_cost ? d.attack_cost.rent_usd_per_hour : null;
  put("rent-cost", `${usd(rent)}/h`, rent);
  $("security-date").textContent = `on ${d.date}`;
  $("security-date").dataset.value = d.date;
  securityNote();
}

/** Say so when the security figures are for an earlier day than the chosen one (the pool data ends earlier). */
function securityNote() {
  const used = $("security-date").dataset.value;
  const chosen = state.date || $("date").value;
  $("security-note").textContent =
    used && chosen && chosen > used ? `${POOL_NOTE} ${used}: figures shown for that day, not ${chosen}.` : "";
}

function renderMachines(d) {
  const gens = d.generations || {};
  const g = (k) => (gens[k] ? gens[k].median_cost_rate : null);
  const latest = put("cost-rate-latest", pct(g("latest")), g("latest"));
  latest.dataset.powerPrice = String(d.power_price_usd_per_kwh);
  latest.dataset.date = d.date;
  put("cost-rate-mid", pct(g("mid")), g("mid"));
  put("cost-rate-old", pct(g("old")), g("old"));

  const key = (m) => (num(m.cost_rate) ? m.cost_rate : Infinity);
  const rows = [...d.machines].sort((a, b) => key(a) - key(b));
  const body = $("machines-body");
  const frag = document.createDocumentFragment();
  for (const m of rows) {
    const tr = document.createElement("tr");
    tr.dataset.model = m.model;
    tr.dataset.costRate = String(m.cost_rate);
    tr.dataset.generation = m.generation;
    if (m.cost_rate > 1) tr.className = "loss";
    const cells = [
      m.model, m.manufacturer, m.generation, fmt(m.efficiency_j_per_th, 1), pct(m.cost_rate),
      fmt(m.margin_usd_per_day, 2), fmt(m.breakeven_power_price_usd_per_kwh, 3), usd(m.shutdown_price_usd),
    ];
    cells.forEach((text, i) => {
      const td = document.createElement("td");
      td.textContent = text;
      if (i >= 3) td.className = "num";
      tr.append(td);
    });
    frag.append(tr);
  }
  body.replaceChildren(frag);
  const table = $("machines");
  table.dataset.powerPrice = String(d.power_price_usd_per_kwh);
  table.dataset.date = d.date;
  $("machines-caption").textContent =
    `${rows.length} models released by ${d.date}, at ${d.power_price_usd_per_kwh} USD/kWh and ` +
    `${fmt(d.hashprice_usd_per_ph_day, 2)} USD/PH/day`;
  costChart = drawCostRate(rows).catch((e) => setError("chart", e.message));
}

function loadSecurity() {
  // The pool data ends before the price data: for a later day, use the latest day with pool data.
  const later = !state.date || (state.securityLast && state.date > state.securityLast);
  if (later && state.securityLatest) {
    seq.security = (seq.security || 0) + 1;
    renderSecurity(state.securityLatest);
    setError("security", null);
    return Promise.resolve();
  }
  return load("security", "/v1/security", later ? {} : { date: state.date }, (d) => {
    if (later) {
      state.securityLast = d.date;
      state.securityLatest = d;
    }
    renderSecurity(d);
  });
}

const loadMachines = () => load("machines", "/v1/machines", { date: dateParam(), power_price: state.power }, renderMachines);
const loadNetwork = () => load("network", "/v1/network", { date: dateParam(), power_price: state.power }, renderNetwork);

function refreshAll() {
  return Promise.all([
    load("hashprice", "/v1/hashprice", { date: dateParam() }, renderHashprice),
    load("index", "/v1/index", { date: dateParam() }, renderIndex),
    loadNetwork(),
    loadSecurity(),
    loadMachines(),
  ]);
}

const refreshPower = () => Promise.all([loadMachines(), loadNetwork()]);

// how current the data is, from the last API answer that said it (data_last_day, data_age_days)
let freshness = null;
function noteFreshness(d) {
  if (d && d.data_last_day) freshness = d;
}
function freshnessText() {
  if (!freshness) return "figures loaded";
  const f = freshness;
  if (!f.data_stale) return `data to ${f.data_last_day}`;
  const fees = f.fees_last_day && f.fees_last_day < f.data_last_day ? `; fees estimated after ${f.fees_last_day}` : "";
  return `data to ${f.data_last_day}, ${f.data_age_days} days old${fees}; to update: ${f.data_refresh}`;
}

let busy = 0;
async function track(promise) {
  busy += 1;
  $("status").textContent = "updating…";
  try {
    await promise;
  } finally {
    busy -= 1;
    if (!busy) $("status").textContent = errors.size ? "some figures failed (see above)" : freshnessText();
  }
}

// ------------------------------------------------------------------ charts

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

const CONFIG = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ["sendDataToCloud", "lasso2d", "select2d"] };

function layout(extra) {
  const dark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
  return {
    margin: { l: 60, r: 16, t: 10, b: 40 },
    paper_bgcolor: "rgba(0,0,0,0)",
    plot_bgcolor: "rgba(0,0,0,0)",
    font: { family: "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", size: 12, color: dark ? "#ddd" : "#222" },
    hovermode: "closest",
    showlegend: false,
    ...extra,
  };
}

const dateLine = (day) => ({
  type: "line", xref: "x", yref: "paper", x0: day, x1: day, y0: 0, y1: 1,
  line: { color: "#888", width: 1, dash: "dot" },
});

let historyDrawn = false;
let costChart = Promise.resolve();
let markedDate = null;

function markDate(day) {
  markedDate = day;
  if (!historyDrawn) return;
  for (const id of ["chart-hashprice", "chart-hashrate"]) window.Plotly.relayout(id, { shapes: [dateLine(day)] });
}

/** The median of the last 30 days' fees per block with fee data (as hashpower.store.fee_estimate). */
function feeEstimate(perBlockFees) {
  const last = perBlockFees.slice(-30).sort((a, b) => a - b);
  const n = last.length;
  if (!n) return 0;
  return n % 2 ? last[(n - 1) / 2] : (last[n / 2 - 1] + last[n / 2]) / 2;
}

async function drawHashprice(rows) {
  // hashprice = (subsidy + fees) / blocks x 86400e12 / (difficulty x 2^32) x price, per TH/s/day; x 1000 per PH/s.
  // After the last day with fee data the fees are the median of its last 30 days, drawn apart and labelled.
  const x = [], y = [], lowX = [], lowY = [], ex = [], ey = [];
  const known = [];
  let estimate = null;
  let low = Infinity;
  for (const r of rows) {
    if (!r.blocks || !r.difficulty || !num(r.price_usd) || !num(r.subsidy_btc)) continue;
    let fees = r.fees_btc;
    const estimated = !num(fees) && known.length > 0;
    if (num(fees)) known.push(fees / r.blocks);
    else if (estimated) {
      if (estimate === null) estimate = feeEstimate(known);
      fees = estimate * r.blocks;
    } else fees = 0;
    const perBlock = (r.subsidy_btc + fees) / r.blocks;
    const v = ((perBlock * 86400e12) / (r.difficulty * 2 ** 32)) * r.price_usd * 1e3;
    if (!Number.isFinite(v) || v <= 0) continue;
    if (estimated) {
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
  await Plotly.react("chart-hashprice", traces, layout({ yaxis: { type: "log", title: { text: "USD/PH/day" } },
    xaxis: { type: "date" }, shapes: markedDate ? [dateLine(markedDate)] : [] }), CONFIG);
  const all = ex.length ? y.concat(ey.slice(1)) : y;
  $("chart-hashprice").dataset.points = String(all.length);
  $("chart-hashprice").dataset.last = String(all[all.length - 1]);
  $("chart-hashprice").dataset.estimatedFrom = ex.length > 1 ? ex[1] : "";
  $("chart-hashprice").dataset.recordLows = String(lowX.length);
}

async function drawHashrate(rows) {
  // 7-day rolling mean of the daily estimate (a window with a missing day is skipped, not counted as zero).
  const x = [], y = [];
  for (let i = 6; i < rows.length; i++) {
    const win = rows.slice(i - 6, i + 1).map((r) => r.hashrate_ths);
    if (!win.every(num)) continue;
    const mean = win.reduce((a, b) => a + b, 0) / 7;
    if (mean > 0) {
      x.push(rows[i].date);
      y.push(mean / 1e6); // TH/s -> EH/s
    }
  }
  const Plotly = await plotlyReady;
  await Plotly.react("chart-hashrate", [
    { x, y, type: "scatter", mode: "lines", line: { color: "#1f77b4", width: 1.2 },
      hovertemplate: "%{x}: %{y:,.1f} EH/s<extra></extra>" },
  ], layout({ yaxis: { type: "log", title: { text: "EH/s" }, exponentformat: "power" }, xaxis: { type: "date" },
    shapes: markedDate ? [dateLine(markedDate)] : [] }), CONFIG);
  $("chart-hashrate").dataset.points = String(x.length);
}

const GEN_COLORS = { latest: "#2ca02c", mid: "#1f77b4", old: "#ff7f0e", obsolete: "#7f7f7f" };

async function drawCostRate(rows) {
  const Plotly = await plotlyReady;
  const shown = rows.filter((m) => Number.isFinite(m.cost_rate) && m.cost_rate > 0);
  await Plotly.react("chart-cost-rate", [{
    type: "bar",
    x: shown.map((m) => m.model),
    y: shown.map((m) => m.cost_rate * 100),
    marker: { color: shown.map((m) => GEN_COLORS[m.generation] || "#999") },
    customdata: shown.map((m) => m.generation),
    hovertemplate: "%{x} (%{customdata}): %{y:,.0f}%<extra></extra>",
  }], layout({
    yaxis: { type: "log", title: { text: "cost rate" }, tickvals: [10, 20, 50, 100, 200, 500, 1000, 2000, 5000],
      ticksuffix: "%" },
    xaxis: { showticklabels: false, title: { text: "machines, cheapest to run first (green: latest generation)" } },
    shapes: [{ type: "line", xref: "paper", yref: "y", x0: 0, x1: 1, y0: 100, y1: 100, line: { color: "#d62728", width: 1.5 } }],
    annotations: [{ xref: "paper", yref: "y", x: 0, y: Math.log10(100), text: "100%: breakeven", showarrow: false,
      yanchor: "bottom", xanchor: "left", font: { color: "#d62728" } }],
  }), CONFIG);
  $("chart-cost-rate").dataset.bars = String(shown.length);
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
  const Plotly = await plotlyReady;
  const xaxis = { type: "category", title: { text: "month", standoff: 6 }, nticks: 8, automargin: true };
  await Plotly.react("chart-outlook-hashrate", fanTraces(rows, "hashrate_ehs", "EH/s", 0),
    layout({ xaxis, yaxis: { title: { text: "EH/s" } } }), CONFIG);
  const curve = d.forward_hashprice_curve;
  await Plotly.react("chart-outlook-hashprice", [
    ...fanTraces(rows, "hashprice_usd_per_ph_day", "USD/PH/day", 2),
    { type: "scatter", mode: "lines", x: curve.months, y: curve.usd_per_ph_day, name: CURVE_LABEL,
      line: { color: FAN.mean, width: 1.5, dash: "dash" },
      hovertemplate: "%{x}: mean %{y:,.2f} USD/PH/day<br>forward hashprice curve<br>" +
        "(model forecast, not a market quote)<extra></extra>" },
  ], layout({ xaxis, yaxis: { title: { text: "USD/PH/day" } } }), CONFIG);
  for (const id of ["chart-outlook-hashrate", "chart-outlook-hashprice"]) {
    $(id).dataset.months = String(rows.length);
    $(id).dataset.start = d.start;
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

async function loadHistoryCharts() {
  const [hp, hr] = await Promise.all([
    api("/v1/history", { columns: "difficulty,price_usd,subsidy_btc,fees_btc,blocks" }),
    api("/v1/history", { columns: "hashrate_ths" }),
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

// ------------------------------------------------------------------ my fleet (a fleet in the request body)

const FLEET_FORWARD = { forward_months: 12, paths: 1000, seed: 0 };
const FLEET_PLAN = { days: 1 };
const FLEET_TIMEOUT_MS = 180000;
const FLEET_ROUTES = ["/v1/fleet", "/v1/fleet/plan", "/v1/costs"];
const FAN_HEDGED = { band: "rgba(44, 160, 44, 0.22)", median: "#2ca02c" };
let fleetRun = 0;

/** The body's content type: a JSON object, or TOML text. */
const fleetType = (text) => (text.trim().startsWith("{") ? "application/json" : "application/toml");

/** POST the fleet to a route; an ApiError with the route, the status and the API's reason when refused. */
async function fleetPost(path, params, text) {
  const q = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)])).toString();
  let resp;
  try {
    resp = await fetch(q ? `${path}?${q}` : path, {
      method: "POST", body: text, signal: AbortSignal.timeout(FLEET_TIMEOUT_MS),
      headers: { Accept: "application/json", "Content-Type": fleetType(text) },
    });
  } catch (e) {
    throw new ApiError(`${path}: the server did not answer (${e.message})`);
  }
  const body = await resp.json().catch(() => null);
  if (!resp.ok) {
    const raw = body && body.detail ? body.detail : resp.statusText;
    const detail = typeof raw === "string" ? raw : JSON.stringify(raw);
    throw Object.assign(new ApiError(`${path} (HTTP ${resp.status}): ${detail}`), { path, status: resp.status, detail });
  }
  return body;
}

/** The panel's errors: the routes that gave one answer named together ("/v1/fleet, /v1/costs (HTTP 422): ..."). */
function fleetErrors(failures) {
  const groups = new Map();
  for (const f of failures) {
    const key = f.path ? `HTTP ${f.status}): ${f.detail}` : f.message;
    if (!groups.has(key)) groups.set(key, []);
    if (f.path) groups.get(key).push(f.path);
  }
  const order = (p) => FLEET_ROUTES.indexOf(p);
  const box = $("fleet-error");
  box.replaceChildren(...[...groups].map(([key, paths]) => Object.assign(document.createElement("p"),
    { textContent: paths.length ? `${paths.sort((a, b) => order(a) - order(b)).join(", ")} (${key}` : key })));
  box.classList.toggle("shown", groups.size > 0);
}

/** A table row of labelled cells (a header row with data.head); each cell's raw value in data-value. */
function fleetRow(cells, data) {
  const tr = document.createElement("tr");
  Object.assign(tr.dataset, data);
  for (const [text, value, cls] of cells) {
    const td = document.createElement(data.head ? "th" : "td");
    td.textContent = text;
    if (value !== undefined && value !== null) td.dataset.value = String(value);
    if (cls) td.className = cls;
    tr.append(td);
  }
  return tr;
}

async function drawFleetFan(d) {
  const fwd = d.forward;
  const rows = fwd.months;
  const x = rows.map((r) => r.month);
  const hedged = Boolean(fwd.hedges && fwd.hedges.length);
  const fan = (key, label, colors, dash) => {
    const q = (k) => rows.map((r) => r.fleet[key][k]);
    // the band's edges drawn thin: where the hedges have ended the two bands coincide and both stay visible
    const edge = { type: "scatter", mode: "lines", x, line: { width: 1, color: colors.median, dash }, hoverinfo: "skip",
      showlegend: false };
    return [
      { ...edge, y: q("p95"), name: `${label} p95` },
      { ...edge, y: q("p5"), name: `${label} p5-p95`, fill: "tonexty", fillcolor: colors.band, showlegend: true },
      { type: "scatter", mode: "lines+markers", x, y: q("p50"), name: `${label} median (p50)`,
        line: { color: colors.median, width: 2 }, marker: { size: 4 },
        customdata: rows.map((r) => [r.fleet[key].p5, r.fleet[key].p95]),
        hovertemplate: `%{x}: ${label} median %{y:$,.0f}<br>p5-p95 %{customdata[0]:$,.0f} - %{customdata[1]:$,.0f}` +
          "<extra></extra>" },
    ];
  };
  const traces = fan("margin_usd", "unhedged", { band: FAN.band90, median: FAN.median }, "solid");
  if (hedged) traces.push(...fan("hedged_margin_usd", "hedged", FAN_HEDGED, "dot"));
  const Plotly = await plotlyReady;
  await Plotly.react("chart-fleet-fan", traces, layout({
    xaxis: { type: "category", title: { text: "month", standoff: 6 }, nticks: 5, tickangle: 0, automargin: true },
    yaxis: { title: { text: "USD per month" }, tickformat: "$~s", automargin: true, zeroline: true },
    showlegend: hedged, legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom", font: { size: 10 } },
    margin: { l: 60, r: 16, t: hedged ? 48 : 10, b: 40 },
  }), CONFIG);
  const el = $("chart-fleet-fan");
  el.dataset.months = String(rows.length);
  el.dataset.hedged = hedged ? "1" : "0";
  $("fleet-fan-note").textContent = hedged
    ? "; green: with the hedges, blue: without"
    : "; the fleet has no [[hedge]]";
  const m0 = rows[0].fleet;
  put("fleet-margin-p50", usd(m0.margin_usd.p50), m0.margin_usd.p50).dataset.month = rows[0].month;
  $("fleet-hedged").replaceChildren();
  if (hedged) {
    const h = Object.assign(document.createElement("span"), { id: "fleet-margin-hedged-p50", className: "fig" });
    $("fleet-hedged").append(", hedged ", h);
    put("fleet-margin-hedged-p50", usd(m0.hedged_margin_usd.p50), m0.hedged_margin_usd.p50);
  }
}

/** The site prices of each UTC hour, read from a JSON fleet or the plain TOML of a fleet (null when not found). */
function fleetPrices(text) {
  let sites = [];
  try {
    const doc = JSON.parse(text);
    sites = Array.isArray(doc.site) ? doc.site : [];
  } catch (e) {
    let cur = null, key = null, buf = "";
    for (const raw of text.split("\n")) {
      const line = raw.replace(/#.*$/, "").trim();
      if (key) {
        buf += line;
        if (line.includes("]")) { cur[key] = buf; key = null; }
        continue;
      }
      if (line.startsWith("[")) { cur = line === "[[site]]" ? {} : null; if (cur) sites.push(cur); continue; }
      const m = cur && line.match(/^([A-Za-z_]+)\s*=\s*(.*)$/);
      if (!m) continue;
      if (m[1] === "tariff_usd_per_kwh" && !m[2].includes("]")) { key = m[1]; buf = m[2]; continue; }
      cur[m[1]] = m[2];
    }
    for (const s of sites) {
      if (s.name) s.name = s.name.replace(/^"(.*)"$/, "$1");
      if (s.power_price_usd_per_kwh !== undefined) s.power_price_usd_per_kwh = Number(s.power_price_usd_per_kwh);
      if (s.tariff_usd_per_kwh !== undefined) s.tariff_usd_per_kwh = s.tariff_usd_per_kwh.replace(/[[\]\s]/g, "")
        .split(",").filter((v) => v !== "").map(Number);
    }
  }
  return sites.map((s, i) => {
    const name = s.name || `site-${i + 1}`;
    if (num(s.power_price_usd_per_kwh)) return [name, Array(24).fill(s.power_price_usd_per_kwh)];
    if (Array.isArray(s.tariff_usd_per_kwh) && s.tariff_usd_per_kwh.length === 24 && s.tariff_usd_per_kwh.every(num)) {
      return [name, s.tariff_usd_per_kwh];
    }
    return [name, null];
  });
}

async function drawFleetPlan(d, text) {
  // hour h of the day spans [h, h + 1] on the x axis: the heatmap's cells centred at h + 0.5, the price a step
  const centres = Array.from({ length: 24 }, (_, h) => h + 0.5);
  const edges = Array.from({ length: 25 }, (_, h) => h);
  const label = (h) => `${String(h).padStart(2, "0")}:00`;
  const rows = [], z = [], body = $("fleet-plan-body");
  const frag = document.createDocumentFragment();
  frag.append(fleetRow([["site"], ["hours on", null, "num"], ["margin", null, "num"], ["saving", null, "num"]],
    { head: "1" }));
  for (const s of d.sites) {
    for (const m of s.models) {
      const on = [];
      for (const sp of m.spells) for (let k = 0; k < sp.hours; k++) on.push(sp.on ? 1 : 0);
      const name = `${s.name} · ${m.model}`;
      const same = rows.filter((r) => r === name || r.startsWith(`${name} (`)).length;
      rows.push(same ? `${name} (${same + 1})` : name);
      z.push(on.slice(0, 24));
    }
    const hoursOn = 24 * d.days - s.hours_curtailed;
    frag.append(fleetRow([[s.name], [fmt(hoursOn, 1), hoursOn, "num"], [usd(s.margin_usd), s.margin_usd, "num"],
      [usd(s.savings_usd), s.savings_usd, "num"]], { site: s.name }));
  }
  body.replaceChildren(frag);
  // the price line of each site whose prices the fleet gives by hour (flat or tariff), checked against the plan's mean
  const given = new Map(fleetPrices(text));
  const priceTraces = [];
  const colors = ["#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22"];
  for (const s of d.sites) {
    const p = given.get(s.name);
    const mean = p ? p.reduce((a, b) => a + b, 0) / 24 : NaN;
    if (!p || Math.abs(mean - s.price_mean_usd_per_kwh) > 1e-9 * Math.max(1, Math.abs(mean))) continue;
    priceTraces.push({ type: "scatter", mode: "lines", x: edges, y: [...p, p[23]], yaxis: "y2", name: `${s.name} price`,
      line: { shape: "hv", width: 1.5, color: colors[priceTraces.length % colors.length] },
      customdata: [...p.map((_, h) => label(h)), label(23)],
      hovertemplate: `${s.name} %{customdata}: %{y:.3f} USD/kWh<extra></extra>` });
  }
  const dark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
  const Plotly = await plotlyReady;
  await Plotly.react("chart-fleet-plan", [
    { type: "heatmap", x: centres, y: rows.map((_, i) => i), z, zmin: 0, zmax: 1, showscale: false, showlegend: false,
      xgap: 1, ygap: 3,
      colorscale: [[0, "#d9dde3"], [0.5, "#d9dde3"], [0.5, "#2ca02c"], [1, "#2ca02c"]],
      customdata: z.map((r, i) => r.map((_, h) => [rows[i], label(h)])),
      hovertemplate: "%{customdata[0]} %{customdata[1]}: %{z}<extra>1 = on, 0 = off</extra>" },
    ...priceTraces,
  ], layout({
    margin: { l: 50, r: 10, t: 6, b: 84 },
    xaxis: { anchor: "y2", range: [0, 24], tickvals: [0, 6, 12, 18, 24], ticktext: [0, 6, 12, 18, 24].map(label),
      tickangle: 0, title: { text: "UTC hour", standoff: 4 } },
    yaxis: { domain: [0.52, 1], showticklabels: false, autorange: "reversed", zeroline: false, showgrid: false },
    yaxis2: { domain: [0, 0.44], title: { text: "USD/kWh", font: { size: 11 } }, rangemode: "tozero" },
    // the machine groups named inside their rows (tick labels would take half the width of a phone)
    annotations: rows.map((r, i) => ({ xref: "paper", x: 0, yref: "y", y: i, xanchor: "left", showarrow: false,
      text: r, font: { size: 10, color: "#1d2330" }, bgcolor: dark ? "rgba(230,233,239,0.8)" : "rgba(255,255,255,0.75)",
      borderpad: 1 })),
    // the price lines' key, under the hour axis
    showlegend: priceTraces.length > 0,
    legend: { orientation: "h", x: 0, y: -0.24, yanchor: "top", font: { size: 10 }, bgcolor: "rgba(0,0,0,0)" },
  }), CONFIG);
  const el = $("chart-fleet-plan");
  el.dataset.rows = String(rows.length);
  el.dataset.priced = String(priceTraces.length);
  el.dataset.from = d.from;
  $("fleet-plan-day").textContent = d.days === 1 ? d.from : `${d.from} to ${d.to}`;
}

async function drawFleetCosts(d) {
  const frag = document.createDocumentFragment();
  frag.append(fleetRow([["site"], ["electricity", null, "num"], ["cash", null, "num"], ["fully loaded", null, "num"]],
    { head: "1" }));
  const names = [], levels = [["electricity", "#1f77b4"], ["cash", "#ff7f0e"], ["fully_loaded", "#7f7f7f"]];
  const ys = { electricity: [], cash: [], fully_loaded: [] };
  for (const s of [...d.sites, { ...d.fleet, name: "fleet" }]) {
    names.push(s.name);
    for (const [k] of levels) ys[k].push(s[`${k}_usd_per_btc`]);
    frag.append(fleetRow([[s.name], ...levels.map(([k]) => [usd(s[`${k}_usd_per_btc`]), s[`${k}_usd_per_btc`], "num"])],
      { site: s.name }));
  }
  $("fleet-costs-body").replaceChildren(frag);
  const Plotly = await plotlyReady;
  await Plotly.react("chart-fleet-costs", levels.map(([k, color]) => ({
    type: "bar", name: k.replace("_", " "), x: names, y: ys[k], marker: { color },
    hovertemplate: `%{x}: ${k.replace("_", " ")} %{y:$,.0f}/BTC<extra></extra>`,
  })), layout({
    barmode: "group", showlegend: true, legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom", font: { size: 10 } },
    margin: { l: 60, r: 16, t: 30, b: 40 },
    yaxis: { title: { text: "USD/BTC" }, tickformat: "$~s", automargin: true },
    xaxis: { automargin: true },
    shapes: [{ type: "line", xref: "paper", yref: "y", x0: 0, x1: 1, y0: d.price_usd, y1: d.price_usd,
      line: { color: "#d62728", width: 1.5, dash: "dash" } }],
    annotations: [{ xref: "paper", yref: "y", x: 1, y: d.price_usd, xanchor: "right", yanchor: "bottom",
      showarrow: false, text: `BTC ${usd(d.price_usd)}`, font: { color: "#d62728", size: 11 } }],
  }), CONFIG);
  const el = $("chart-fleet-costs");
  el.dataset.price = String(d.price_usd);
  el.dataset.sites = String(d.sites.length);
  $("fleet-costs-day").textContent = ` on ${d.date}`;
}

function renderFleetPast(d) {
  put("fleet-units", fmt(d.units, 0), d.units);
  $("fleet-past-span").textContent = `${d.from} to ${d.to}`;
  put("fleet-profit", usd(d.profit_usd), d.profit_usd).dataset.from = d.from;
  $("fleet-past").hidden = false;
}

async function submitFleet(ev) {
  if (ev) ev.preventDefault();
  const text = $("fleet-text").value;
  const run = ++fleetRun;
  const box = $("fleet");
  box.dataset.state = "running";
  $("fleet-status").textContent = "computing (the P&L ahead runs the Monte Carlo engine: seconds)…";
  const failed = [];
  const step = (promise, draw) => promise.then(async (d) => {
    if (run !== fleetRun) return;
    noteFreshness(d);
    await draw(d);
  }).catch((e) => {
    if (run !== fleetRun) return;
    failed.push(e instanceof ApiError ? e : { message: `the panel: ${e.message}` });
    if (!(e instanceof ApiError)) console.error(e);
  });
  await Promise.all([
    step(fleetPost("/v1/fleet", FLEET_FORWARD, text), async (d) => { renderFleetPast(d); await drawFleetFan(d); }),
    step(fleetPost("/v1/fleet/plan", FLEET_PLAN, text), (d) => drawFleetPlan(d, text)),
    step(fleetPost("/v1/costs", {}, text), drawFleetCosts),
  ]);
  if (run !== fleetRun) return;
  fleetErrors(failed);
  box.classList.toggle("fleet-stale", failed.length > 0);
  $("fleet-status").textContent = failed.length ? "the fleet could not be computed (see the message above)"
    : `computed: ${FLEET_FORWARD.forward_months} months ahead on ${fmt(FLEET_FORWARD.paths, 0)} paths, seed ` +
      `${FLEET_FORWARD.seed}`;
  box.dataset.errors = String(failed.length);
  box.dataset.runs = String(run);
  box.dataset.state = "done";
}

function fleetInit() {
  $("fleet-form").addEventListener("submit", (ev) => {
    releaseCharts(); // the panel may be used before the history charts are drawn
    submitFleet(ev);
  });
  $("fleet-file").addEventListener("change", async () => {
    const file = $("fleet-file").files[0];
    if (!file) return;
    if (file.size > 262144) {
      return fleetErrors([{ message: `${file.name}: ${fmt(file.size, 0)} bytes; the API takes at most 262,144` }]);
    }
    $("fleet-text").value = await file.text();
    $("fleet-form").requestSubmit();
  });
}

// ------------------------------------------------------------------ wiring

function onDate() {
  const v = $("date").value;
  if (!v) return setError("input", "choose a day");
  if (v === state.date) return;
  state.date = v;
  setError("input", null);
  track(refreshAll());
}

function onPower() {
  const raw = $("power-price").value.trim();
  const v = Number(raw);
  if (raw === "" || !Number.isFinite(v)) return setError("input", "the power price must be a number in USD/kWh");
  if (raw === state.power) return;
  state.power = raw;
  setError("input", null);
  track(refreshPower());
}

async function main() {
  fleetInit();
  $("date").addEventListener("change", onDate);
  $("power-price").addEventListener("change", onPower);
  state.power = $("power-price").value.trim() || "0.06";
  await track(refreshAll());
  performance.mark("hashpower-figures");
  document.body.dataset.figures = "1";
  releaseCharts();
  // the outlook is computed in the server's heavy pool (seconds when it starts cold): it does not hold up the rest
  const outlook = loadOutlook();
  await loadHistoryCharts().catch((e) => setError("history", e.message));
  await costChart;
  performance.mark("hashpower-ready");
  document.body.dataset.ready = "1";
  await outlook;
  performance.mark("hashpower-outlook");
  document.body.dataset.outlook = "1";
}

main();
