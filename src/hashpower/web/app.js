// hashpower dashboard: vanilla JS over the /v1 API. This file: formatting, API access, the page's state (kept in
// the address), the headline figures and the wiring; charts.js, pools.js and fleet.js (loaded after it) draw.
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

/** GET ``path`` with ``params`` (empty ones left out), or POST ``body`` (of ``type``) to it; an ApiError with the
 * route, the status and the API's reason (``path``, ``status``, ``detail``) when refused or unanswered. */
async function api(path, params = {}, { body = null, type = null, timeoutMs = 30000 } = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) if (v !== null && v !== undefined && v !== "") q.set(k, v);
  const qs = q.toString();
  const url = qs ? `${path}?${qs}` : path;
  const headers = { Accept: "application/json", ...(type ? { "Content-Type": type } : {}) };
  let resp;
  try {
    resp = await fetch(url, { method: body === null ? "GET" : "POST", body, headers,
      signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    throw new ApiError(`${path}: the server did not answer (${e.message})`);
  }
  const answer = await resp.json().catch(() => null);
  if (!resp.ok) {
    const raw = answer && answer.detail ? answer.detail : resp.statusText;
    const detail = typeof raw === "string" ? raw : JSON.stringify(raw);
    throw Object.assign(new ApiError(`${path} (HTTP ${resp.status}): ${detail}`), { path, status: resp.status, detail });
  }
  return answer;
}

// Each figure group keeps a sequence number so a slow, stale answer never overwrites a newer one.
const seq = {};

/** Fill figure group ``key`` from ``path`` (or from ``fetcher``, which asks it in its own way), unless a newer
 * request of the group was made meanwhile; its error, if any, in #error. */
async function load(key, path, params, render, fetcher = () => api(path, params)) {
  const token = (seq[key] = (seq[key] || 0) + 1);
  try {
    const data = await fetcher();
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

// ------------------------------------------------------------------ state, kept in the address

// The view: the day ("" = the latest), the power price ("" = the API's defaults, which are the CLI's: cost rates
// at hashpower machines' and brief's price, network power at hashpower network's), the pools' window, the
// hashrate chart's scale and the time charts' x ranges (charts.js: TIME, "" = a chart's default).
const VIEW_DEFAULTS = { date: "", power: "", pools: "1w", scale: "log" };
const RANGE_KEYS = ["hashprice", "hashrate", "concentration", "outlook"]; // in the address as <key>_range
const state = {
  ...VIEW_DEFAULTS, ranges: { hashprice: "", hashrate: "", concentration: "", outlook: "", fleet: "" },
  latest: null, securityLast: null, securityLatest: null,
  defaults: { machines: null, network: null }, // the power prices the API answered with when none was asked
};

const dateParam = () => state.date || null;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The view in the address (?date=&power=&pools=&hashrate_scale=&<key>_range=), and what in it was not understood. */
function readView() {
  const q = new URLSearchParams(window.location.search);
  const view = { ...VIEW_DEFAULTS, ranges: Object.fromEntries(RANGE_KEYS.map((k) => [k, ""])) };
  const bad = [];
  const take = (name, ok, set) => {
    if (!q.has(name)) return;
    const v = q.get(name).trim();
    if (ok(v)) set(v);
    else bad.push(`${name}=${v.slice(0, 40)}`);
  };
  take("date", (v) => DAY.test(v), (v) => (view.date = v));
  take("power", (v) => v !== "" && Number.isFinite(Number(v)), (v) => (view.power = v));
  take("pools", (v) => Object.hasOwn(POOL_WINDOWS, v), (v) => (view.pools = v));
  take("hashrate_scale", (v) => v === "log" || v === "linear", (v) => (view.scale = v));
  for (const k of RANGE_KEYS) take(`${k}_range`, (v) => RANGE_TOKEN.test(v), (v) => (view.ranges[k] = v));
  const known = new Set(["date", "power", "pools", "hashrate_scale", ...RANGE_KEYS.map((k) => `${k}_range`)]);
  for (const name of new Set(q.keys())) if (!known.has(name)) bad.push(`${name.slice(0, 40)} (not a parameter of the page)`);
  return { view, bad };
}

function viewUrl() {
  const q = new URLSearchParams();
  for (const k of ["date", "power", "pools"]) if (state[k] !== VIEW_DEFAULTS[k]) q.set(k, state[k]);
  if (state.scale !== VIEW_DEFAULTS.scale) q.set("hashrate_scale", state.scale);
  for (const k of RANGE_KEYS) if (state.ranges[k]) q.set(`${k}_range`, state.ranges[k]);
  const s = q.toString();
  return `${window.location.pathname}${s ? `?${s}` : ""}${window.location.hash}`;
}

/** Record a change of the view made on the page: a new history entry (the back button returns to the last). */
function saveView() {
  const url = viewUrl();
  const here = `${window.location.pathname}${window.location.search}${window.location.hash}`;
  if (url !== here) window.history.pushState(null, "", url);
}

function showBadView(bad) {
  setError("address", bad.length ? `not understood in the address, so left at the default: ${bad.join(", ")} ` +
    "(date=YYYY-MM-DD, power=USD/kWh, pools=24h|3d|1w|1m|3m|6m|1y|all, hashrate_scale=log|linear, " +
    "<chart>_range=1m|6m|1y|5y|all|YYYY-MM-DD..YYYY-MM-DD)" : null);
}

/** The view of the address, applied: after the back or forward button (and at the start, by main). */
async function applyView() {
  const { view, bad } = readView();
  showBadView(bad);
  const day = view.date !== state.date, power = view.power !== state.power, pools = view.pools !== state.pools;
  Object.assign(state, { date: view.date, power: view.power, pools: view.pools, scale: view.scale });
  Object.assign(state.ranges, view.ranges);
  $("date").value = state.date || state.latest || "";
  $("power-price").value = state.power;
  powerHint();
  // a new pools window redraws its chart at the state's range (its span is the new window's)
  const work = [applyScale(), ...RANGE_KEYS.filter((k) => !(pools && k === "concentration")).map((k) => applyRange(k))];
  if (day) work.push(refreshAll());
  else {
    if (power) work.push(refreshPower());
    if (pools) work.push(loadPools());
  }
  await track(Promise.all(work));
}

/** A row of toggle buttons bound to ``state[key]`` by their ``data-<attr>``: a click on another one sets it, records
 * the view and runs ``apply``. */
function toggleRow(row, attr, key, apply) {
  for (const b of document.querySelectorAll(`${row} button`)) {
    b.addEventListener("click", () => {
      if (b.dataset[attr] === state[key]) return;
      state[key] = b.dataset[attr];
      saveView();
      apply();
    });
  }
}

/** Show which button of a toggle row is pressed: the one whose ``data-<attr>`` is ``value``. */
function pressRow(row, attr, value) {
  for (const b of document.querySelectorAll(`${row} button`)) b.setAttribute("aria-pressed", String(b.dataset[attr] === value));
}

// ------------------------------------------------------------------ figures

function renderHashprice(d) {
  put("hashprice", fmt(d.usd_per_ph_day, 2), d.usd_per_ph_day).dataset.date = d.date;
  put("hashprice-date", d.date, d.date);
  put("btc-price", usd(d.price_usd), d.price_usd);
  put("hashprice-btc", fmt(d.btc_per_ph_day, 6), d.btc_per_ph_day);
  put("difficulty", sci(d.difficulty), d.difficulty);
  if (!state.date) state.latest = d.date;
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
  $("power-at").dataset.value = String(d.power_price_usd_per_kwh);
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
  $("cost-at").textContent = `at ${d.power_price_usd_per_kwh} USD/kWh`;
  $("cost-at").dataset.value = String(d.power_price_usd_per_kwh);
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

/** A route's figures at the state's power price; with none, at the API's default, which is then noted. */
function loadPriced(key, path, render) {
  const asked = state.power;
  return load(key, path, { date: dateParam(), power_price: asked }, (d) => {
    if (!asked) state.defaults[key] = d.power_price_usd_per_kwh;
    render(d);
    powerHint();
  });
}

const loadMachines = () => loadPriced("machines", "/v1/machines", renderMachines);
const loadNetwork = () => loadPriced("network", "/v1/network", renderNetwork);

/** Beside the power price: the defaults used when it is empty, as the API answered them (the CLI's). */
function powerHint() {
  const { machines, network } = state.defaults;
  const el = $("power-default");
  if (state.power) el.textContent = "empty: the defaults";
  else if (machines !== null && network !== null) {
    el.textContent = `default (as the CLI): cost rates ${machines}, network power ${network}`;
  } else el.textContent = "default: as the CLI";
  el.dataset.machines = String(machines);
  el.dataset.network = String(network);
}

function refreshAll() {
  return Promise.all([
    load("hashprice", "/v1/hashprice", { date: dateParam() }, renderHashprice),
    load("index", "/v1/index", { date: dateParam() }, renderIndex),
    loadNetwork(),
    loadSecurity(),
    loadMachines(),
    loadPools(),
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

// ------------------------------------------------------------------ wiring

function onDate() {
  const v = $("date").value;
  if (!v) return setError("input", "choose a day");
  if (v === state.date) return;
  state.date = v;
  setError("input", null);
  saveView();
  track(refreshAll());
}

function onPower() {
  const raw = $("power-price").value.trim();
  const v = Number(raw);
  if (raw !== "" && !Number.isFinite(v)) return setError("input", "the power price must be a number in USD/kWh");
  if (raw === state.power) return;
  state.power = raw; // "" again: the defaults
  setError("input", null);
  saveView();
  track(refreshPower());
}

async function main() {
  const { view, bad } = readView();
  showBadView(bad);
  Object.assign(state, { date: view.date, power: view.power, pools: view.pools, scale: view.scale });
  Object.assign(state.ranges, view.ranges);
  $("date").value = state.date;
  $("power-price").value = state.power;
  powerHint();
  fleetInit();
  poolsInit();
  scaleInit();
  applyScale();
  $("date").addEventListener("change", onDate);
  $("power-price").addEventListener("change", onPower);
  window.addEventListener("popstate", () => applyView());
  await track(refreshAll());
  performance.mark("hashpower-figures");
  document.body.dataset.figures = "1";
  releaseCharts();
  // the outlook is computed in the server's heavy pool (seconds when it starts cold): it does not hold up the rest
  const outlook = loadOutlook();
  await loadHistoryCharts().catch((e) => setError("history", e.message));
  await costChart;
  await poolsChart;
  performance.mark("hashpower-ready");
  document.body.dataset.ready = "1";
  await outlook;
  performance.mark("hashpower-outlook");
  document.body.dataset.outlook = "1";
}

// the other scripts (deferred, after this one) are loaded before DOMContentLoaded
document.addEventListener("DOMContentLoaded", main);
