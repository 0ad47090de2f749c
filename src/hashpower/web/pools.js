// hashpower dashboard: the mining pools panel (/v1/security's pool shares over a window, /v1/concentration's
// HHI and Nakamoto coefficient of every day). Loaded after app.js and charts.js.
"use strict";

// The windows of /v1/security (hashpower.figures.security.WINDOWS) [days]; "all" runs from the pool data's start.
const POOL_WINDOWS = { "24h": 1, "3d": 3, "1w": 7, "1m": 30, "3m": 90, "6m": 180, "1y": 365, all: null };
const POOLS_TOP = 10; // pools named; the rest are one "others" row (the API's default)
const CONC_ALL_DAYS = 365; // the chart's window when the table's is "all" (it has no fixed length)
const concSeries = new Map(); // window [days] -> the promise of /v1/concentration's answer
let poolsChart = Promise.resolve();

const concDays = (w) => POOL_WINDOWS[w] ?? CONC_ALL_DAYS;

const poolsInit = () => toggleRow("#pools-windows", "window", "pools", () => track(loadPools()));

/** /v1/security's pools over window ``w`` on the chosen day, or on the pool data's last day when the chosen one is
 * later (or not given): as the security card (the last day is kept in ``state.securityLast``). */
async function fetchPools(w) {
  const q = { window: w, top: POOLS_TOP };
  const later = () => !state.date || state.date >= state.securityLast;
  if (!state.securityLast || later()) {
    const d = await api("/v1/security", q);
    state.securityLast = d.date;
    if (later()) return d;
  }
  return api("/v1/security", { ...q, date: state.date });
}

const loadPoolTable = (w) => load("pools", "/v1/security", null, (d) => renderPools(d, w), () => fetchPools(w));

function loadPools() {
  pressRow("#pools-windows", "window", state.pools);
  // the chart waits for the chart library (main releases it after the figures): not awaited with the table
  poolsChart = drawConcentration(state.pools).then(() => setError("pools-chart", null),
    (e) => setError("pools-chart", e instanceof ApiError ? e.message : `the pools chart: ${e.message}`));
  return loadPoolTable(state.pools);
}

function renderPools(d, w) {
  const c = d.concentration;
  const table = $("pools-table");
  table.dataset.window = w;
  table.dataset.date = d.date;
  const frag = document.createDocumentFragment();
  let sum = 0;
  for (const p of c ? c.pool_shares : []) {
    sum += p.share;
    const tr = document.createElement("tr");
    tr.dataset.pool = p.pool;
    tr.dataset.share = String(p.share);
    tr.dataset.blocks = String(p.blocks);
    if (p.pool === "others" || p.pool === "unknown") tr.className = "rest";
    const cpct = (v) => pct(v, v < 0.01 ? 2 : 1);
    const ci = num(p.lower_95) && num(p.upper_95) ? `${cpct(p.lower_95)} – ${cpct(p.upper_95)}` : "–";
    const share = document.createElement("td");
    share.className = "num share";
    const bar = Object.assign(document.createElement("span"), { className: "bar" });
    bar.style.width = `${Math.max(0, Math.min(100, 100 * p.share))}%`;
    share.append(bar, Object.assign(document.createElement("span"), { textContent: pct(p.share) }));
    const cells = [[p.name || p.pool, ""], [fmt(p.blocks, 0), "num"]];
    for (const [text, cls] of cells) tr.append(Object.assign(document.createElement("td"), { textContent: text, className: cls }));
    tr.append(share, Object.assign(document.createElement("td"), { textContent: ci, className: "num" }));
    frag.append(tr);
  }
  $("pools-body").replaceChildren(frag);
  table.dataset.sum = String(sum);
  table.dataset.rows = String(c ? c.pool_shares.length : 0);
  put("pools-hhi", c ? fmt(c.hhi, 0) : "n/a", c ? c.hhi : null);
  put("pools-nakamoto", c ? String(c.nakamoto_coefficient) : "n/a", c ? c.nakamoto_coefficient : null);
  put("pools-blocks", c ? fmt(c.blocks, 0) : "n/a", c ? c.blocks : null);
  $("pools-span").textContent = c ? `${c.start_date} to ${c.end_date}` : "–";
  const note = [];
  if (!c) note.push(d.concentration_reason);
  else if (state.date && state.date > d.date) note.push(`${POOL_NOTE} ${d.date}: the shares are for that day, not ${state.date}.`);
  if (c && c.unattributed_share > 0) note.push(`${pct(c.unattributed_share, 2)} of the blocks are not attributed to a pool (Unknown).`);
  $("pools-note").textContent = note.join(" ");
  markPoolsDay(d.date);
}

function markPoolsDay(day) {
  const el = $("chart-concentration");
  el.dataset.day = day;
  if (el._fullLayout) window.Plotly.relayout(el, { shapes: [dateLine(day)] });
}

async function drawConcentration(w) {
  const days = concDays(w);
  if (!concSeries.has(days)) {
    const p = api("/v1/concentration", { window_days: days });
    concSeries.set(days, p);
    p.catch(() => concSeries.delete(days));
  }
  const d = await concSeries.get(days);
  if (w !== state.pools) return; // a later window was chosen meanwhile
  const x = d.data.map((r) => r.date);
  TIME.concentration.span = [x[0], x[x.length - 1]];
  const Plotly = await plotlyReady;
  const el = $("chart-concentration");
  const day = el.dataset.day;
  await Plotly.react(el, [
    { x, y: d.data.map((r) => r.hhi), type: "scatter", mode: "lines", name: "HHI", line: { color: "#9467bd", width: 1.4 },
      hovertemplate: "%{x}: HHI %{y:,.0f}<extra></extra>" },
    { x, y: d.data.map((r) => r.nakamoto_coefficient), type: "scatter", mode: "lines", name: "Nakamoto coefficient",
      yaxis: "y2", line: { color: "#ff7f0e", width: 1.4, shape: "hv" },
      hovertemplate: "%{x}: Nakamoto coefficient %{y}<extra></extra>" },
  ], layout({
    margin: { l: 60, r: 52, t: BUTTONS_PX, b: 44 },
    xaxis: timeAxis("concentration", "day (UTC)"),
    yaxis: { title: axisTitle("HHI (0–10,000)"), fixedrange: true, automargin: true, tickformat: ",.0f",
      color: "#9467bd" },
    yaxis2: { title: axisTitle("Nakamoto coeff., pools"), overlaying: "y", side: "right", fixedrange: true,
      automargin: true, dtick: 1, showgrid: false, color: "#ff7f0e" },
    shapes: day ? [dateLine(day)] : [],
  }), CONFIG);
  el.dataset.window = w;
  el.dataset.windowDays = String(days);
  el.dataset.points = String(x.length);
  el.dataset.lastDay = x[x.length - 1];
  el.dataset.lastHhi = String(d.data[d.data.length - 1].hhi);
  $("conc-window").textContent = POOL_WINDOWS[w] ? `${days}-day window` : `${days}-day window (the "all" window has no fixed length)`;
  observe(el);
  await wireTime("concentration", el);
}
