// The demo's dashboard: polls /_xeno/api/state twice a second and fills in the page; no build step.
"use strict";

const $ = (id) => document.getElementById(id);
const STATE_COLOURS = { SURGING: "rgba(255,220,80,0.35)", OVERLOADED: "rgba(230,60,60,0.25)", RECOVERING: "rgba(255,160,60,0.25)" };

function text(id, value) { $(id).textContent = String(value); }

function post(path) {
  return fetch(path, { method: "POST" }).then(refresh);
}

$("start-flood").addEventListener("click", () => post("/_xeno/api/flood/start"));
$("stop-flood").addEventListener("click", () => post("/_xeno/api/flood/stop"));
$("force-attack").addEventListener("click", () => post("/_xeno/api/force"));
$("release-attack").addEventListener("click", () => post("/_xeno/api/release"));

function render(s) {
  text("site", s.site);
  text("dns-mode", s.dnsMode === "bind" ? "a local BIND takes the updates" : "updates are only printed (no BIND)");
  text("scheme", s.scheme === "https" ? "HTTPS, certificates from a local ACME CA" : "plain HTTP");
  text("origin-address", s.origin.address);
  text("flood-state", s.flood.running ? "ON" : "off");
  text("flood-rate", s.flood.ratePerSecond);
  text("flood-sent", s.flood.sent);

  const state = $("detector-state");
  state.textContent = s.detector.state;
  state.className = "state " + s.detector.state;
  text("detector-reasons", s.detector.reasons.length ? s.detector.reasons.join(", ") : "—");
  text("detector-hot", s.detector.hotPaths && s.detector.hotPaths.length ? s.detector.hotPaths.join(", ") : "—");
  text("detector-warmup", s.detector.warmedUp ? "yes" : "no");
  text("detector-forced", s.detector.forced ? "yes" : "no");

  text("replication-phase", s.replication.phase);
  text("dns-addresses", s.replication.addressesInDns.length ? s.replication.addressesInDns.join(", ") : "none");
  text("origin-sheltered", s.replication.originSheltered ? "yes" : "no");
  text("replication-wave", s.replication.wave);
  text("certificates", s.certificates);

  text("origin-rate", s.origin.ratePerSecond);
  text("origin-capacity", s.origin.capacityPerSecond);
  const d = s.origin.defence;
  text("defence-limit", d.limit);
  text("defence-engaged", d.engaged ? "applies" : "off");
  text("defence-peer-admitted", d.peerAdmitted);
  text("defence-peer-shed", d.peerShed);
  text("defence-direct-admitted", d.directAdmitted);
  text("defence-direct-shed", d.directShed);
  text("defence-memory", d.servedFromMemory);
  text("defence-journaled", d.journaled);
  text("defence-closed", d.connectionsClosed);
  const rows = $("peer-rows");
  rows.replaceChildren(...s.peers.map((p) => {
    const tr = document.createElement("tr");
    tr.id = "peer-" + p.name;
    for (const v of [p.name, p.address, p.state, p.ratePerSecond, p.requests, p.forwarded]) {
      const td = document.createElement("td");
      td.textContent = String(v);
      tr.appendChild(td);
    }
    return tr;
  }));

  text("legit-p50", s.legit.p50Ms);
  text("legit-p95", s.legit.p95Ms);
  text("legit-success", s.legit.successPercent);
  text("legit-requests", s.legit.requests);
  text("legit-failures", s.legit.failures);
  text("legit-by-peers", s.legit.servedByPeers);

  text("orders-placed", s.orders.placed);
  text("orders-captured", s.orders.captured);
  text("orders-forwarded", s.orders.forwarded);
  text("orders-pending", s.orders.pendingAtPeers);
  text("orders-recorded", s.orders.recorded);
  text("orders-duplicates", s.orders.duplicatesRefused);

  $("steps").replaceChildren(...s.replication.steps.map((step) => {
    const li = document.createElement("li");
    li.textContent = step;
    return li;
  }));
  drawHistory(s.history);
  text("last-update", "updated " + new Date().toLocaleTimeString());
}

function drawHistory(points) {
  const canvas = $("history");
  const g = canvas.getContext("2d");
  const w = canvas.width, h = canvas.height;
  g.clearRect(0, 0, w, h);
  if (points.length < 2) return;
  const t0 = points[0].t, t1 = points[points.length - 1].t;
  const x = (t) => (t - t0) / Math.max(1, t1 - t0) * (w - 50) + 40;
  const maxRate = Math.max(10, ...points.map((p) => Math.max(p.origin, p.peers)));
  const maxP95 = Math.max(50, ...points.map((p) => p.p95));
  for (let i = 0; i < points.length - 1; i++) {
    const colour = STATE_COLOURS[points[i].state];
    if (colour) {
      g.fillStyle = colour;
      g.fillRect(x(points[i].t), 0, x(points[i + 1].t) - x(points[i].t) + 1, h);
    }
  }
  const line = (key, max, colour) => {
    g.strokeStyle = colour;
    g.lineWidth = 2;
    g.beginPath();
    points.forEach((p, i) => {
      const y = h - 10 - p[key] / max * (h - 20);
      if (i === 0) g.moveTo(x(p.t), y); else g.lineTo(x(p.t), y);
    });
    g.stroke();
  };
  line("origin", maxRate, "#c82828");
  line("peers", maxRate, "#1e6ec8");
  line("p95", maxP95, "#288c3c");
  g.fillStyle = "#444";
  g.font = "11px sans-serif";
  g.fillText(maxRate + " req/s", 2, 12);
  g.fillText(maxP95 + " ms", w - 60, 12);
}

function refresh() {
  return fetch("/_xeno/api/state", { cache: "no-store" })
    .then((r) => r.json())
    .then(render)
    .catch((e) => text("last-update", "no answer from the demo: " + e));
}

refresh();
setInterval(refresh, 500);
