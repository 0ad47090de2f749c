// hashpower dashboard: the "My fleet" panel (a fleet in the request body of /v1/fleet, /v1/fleet/plan, /v1/costs).
// Loaded after app.js and charts.js.
"use strict";

const FLEET_FORWARD = { forward_months: 12, paths: 1000, seed: 0 };
const FLEET_PLAN = { days: 1 };
const FLEET_TIMEOUT_MS = 180000;
const FLEET_ROUTES = ["/v1/fleet", "/v1/fleet/plan", "/v1/costs"];
const FAN_HEDGED = { band: "rgba(44, 160, 44, 0.22)", median: "#2ca02c" };
let fleetRun = 0;

/** The body's content type: a JSON object, or TOML text. */
const fleetType = (text) => (text.trim().startsWith("{") ? "application/json" : "application/toml");

/** POST the fleet to a route (api's errors: the route, the status and the API's reason when refused). */
const fleetPost = (path, params, text) => api(path, params, { body: text, type: fleetType(text),
  timeoutMs: FLEET_TIMEOUT_MS });

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
  TIME.fleet.points = x.map((m) => `${m}-01`);
  state.ranges.fleet = ""; // a new fleet: its whole year
  const Plotly = await plotlyReady;
  const el = $("chart-fleet-fan");
  // the key of the two fans is the caption's note (a legend would take the range buttons' place)
  await Plotly.react(el, traces, layout({
    xaxis: timeAxis("fleet", "month"), updatemenus: forwardMenu("fleet"),
    yaxis: { title: axisTitle("USD per month"), tickformat: "$~s", automargin: true, zeroline: true, fixedrange: true },
    margin: { l: 60, r: 16, t: BUTTONS_PX, b: 44 },
  }), CONFIG);
  observe(el);
  await wireTime("fleet", el);
  el.dataset.months = String(rows.length);
  el.dataset.lastMonth = x[x.length - 1];
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
    margin: { l: 50, r: 10, t: MODEBAR_PX, b: 84 },
    xaxis: { anchor: "y2", range: [0, 24], tickvals: [0, 6, 12, 18, 24], ticktext: [0, 6, 12, 18, 24].map(label),
      tickangle: 0, title: axisTitle("UTC hour"), fixedrange: true },
    yaxis: { domain: [0.52, 1], showticklabels: false, autorange: "reversed", zeroline: false, showgrid: false,
      title: { text: "on / off", font: { size: 11 } }, fixedrange: true },
    yaxis2: { domain: [0, 0.44], title: { text: "USD/kWh", font: { size: 11 } }, rangemode: "tozero", fixedrange: true },
    // the machine groups named inside their rows (tick labels would take half the width of a phone)
    annotations: rows.map((r, i) => ({ xref: "paper", x: 0, yref: "y", y: i, xanchor: "left", showarrow: false,
      text: r, font: { size: 10, color: "#1d2330" }, bgcolor: dark ? "rgba(230,233,239,0.8)" : "rgba(255,255,255,0.75)",
      borderpad: 1 })),
    // the price lines' key, under the hour axis
    showlegend: priceTraces.length > 0,
    legend: { orientation: "h", x: 0, y: -0.24, yanchor: "top", font: { size: 10 }, bgcolor: "rgba(0,0,0,0)" },
  }), CONFIG);
  const el = $("chart-fleet-plan");
  observe(el);
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
    margin: { l: 60, r: 16, t: BUTTONS_PX, b: 44 },
    yaxis: { title: axisTitle("USD/BTC"), tickformat: "$~s", automargin: true, fixedrange: true },
    xaxis: { automargin: true, title: axisTitle("site"), fixedrange: true },
    shapes: [{ type: "line", xref: "paper", yref: "y", x0: 0, x1: 1, y0: d.price_usd, y1: d.price_usd,
      line: { color: "#d62728", width: 1.5, dash: "dash" } }],
    annotations: [{ xref: "paper", yref: "y", x: 1, y: d.price_usd, xanchor: "right", yanchor: "bottom",
      showarrow: false, text: `BTC ${usd(d.price_usd)}`, font: { color: "#d62728", size: 11 } }],
  }), CONFIG);
  const el = $("chart-fleet-costs");
  observe(el);
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
