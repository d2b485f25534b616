// The mockgem inspector: reads mockgem's own JSON API under /_mockgem/ and shows it; no build step.
"use strict";

const API = "/_mockgem/";
const opened = new Set();  // numbers of the journal entries whose details are shown

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "text") node.textContent = value; else node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}

async function read(path) {
  const response = await fetch(API + path, { cache: "no-store" });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return response.json();
}

function clock(epochSeconds) {
  return new Date(epochSeconds * 1000).toLocaleTimeString([], { hour12: false }) + "." +
    String(Math.floor((epochSeconds % 1) * 1000)).padStart(3, "0");
}

function whoAnswered(entry) {
  if (entry.miss !== null && entry.miss !== undefined) return "miss";
  if (!entry.answered_by) return entry.source || "-";
  return entry.source && entry.source !== entry.answered_by ? `${entry.answered_by} (${entry.source})` : entry.answered_by;
}

function entryRow(entry) {
  const kind = entry.miss ? "miss" : (entry.status || 0) >= 400 ? "error" : "ok";
  const row = element("tr", { class: `entry ${kind}`, "data-number": entry.number, "data-source": entry.miss ? "miss" : (entry.source || "") },
    element("td", { text: entry.number }),
    element("td", { text: clock(entry.started) }),
    element("td", { class: "path", text: `${entry.method} ${entry.path}` }),
    element("td", { class: "status", text: entry.status === null ? "cut" : entry.status }),
    element("td", { class: "source", text: whoAnswered(entry) }),
    element("td", { text: `${entry.duration_ms.toFixed(1)} ms` }),
    element("td", {}, ...(entry.faults || []).map((fault) => element("span", { class: "tag", text: fault }))));
  row.addEventListener("click", () => {
    if (opened.has(entry.number)) opened.delete(entry.number); else opened.add(entry.number);
    refresh();
  });
  return row;
}

function diffText(message) {
  // The miss message's "Differences (recorded -> sent):" lines, coloured by side.
  const block = element("pre", { class: "miss-message" });
  for (const line of message.split("\n")) {
    const arrow = line.indexOf(" -> ");
    if (line.startsWith("  ") && arrow > 0) {
      const colon = line.indexOf(": ");
      block.append(line.slice(0, colon + 2), element("span", { class: "removed", text: line.slice(colon + 2, arrow) }), " -> ",
        element("span", { class: "added", text: line.slice(arrow + 4) }), "\n");
    } else {
      block.append(line + "\n");
    }
  }
  return block;
}

function chunkList(chunks) {
  return element("ul", {}, ...chunks.map((chunk, index) =>
    element("li", { text: `chunk ${index + 1}: +${Number(chunk.offset_ms ?? chunk.offset ?? 0).toFixed(1)} ms` })));
}

function detailsRow(entry) {
  const cell = element("td", { colspan: 7 });
  const facts = [entry.model && `model ${entry.model}`, entry.surface && `surface ${entry.surface}`, entry.action, entry.cassette && `cassette ${entry.cassette}`];
  cell.append(element("div", { class: "muted", text: facts.filter(Boolean).join(" · ") }));
  if (entry.miss) cell.append(element("strong", { text: "No answer: the closest recording and how it differs" }), diffText(entry.miss));
  if (entry.chunks && entry.chunks.length) cell.append(element("strong", { text: "Stream chunks" }), chunkList(entry.chunks));
  if (entry.faults && entry.faults.length) cell.append(element("div", { text: `Faults applied: ${entry.faults.join(", ")}` }));
  cell.append(element("strong", { text: "Request body" }), element("pre", { text: JSON.stringify(entry.body, null, 2) }));
  if (entry.native_body) cell.append(element("strong", { text: "As a Gemini request" }), element("pre", { text: JSON.stringify(entry.native_body, null, 2) }));
  return element("tr", { class: "details" }, cell);
}

function showRequests(entries) {
  const rows = [];
  for (const entry of entries.slice().reverse()) {
    rows.push(entryRow(entry));
    if (opened.has(entry.number)) rows.push(detailsRow(entry));
  }
  if (!rows.length) rows.push(element("tr", { class: "empty" }, element("td", { colspan: 7, text: "No request yet. Point a client at this server." })));
  document.getElementById("requests").replaceChildren(...rows);
}

function list(items, empty) {
  return items.length ? element("ul", {}, ...items.map((item) => element("li", { text: item }))) : element("div", { class: "muted", text: empty });
}

function showSidebar(cassettes, rules, faults, quotas) {
  document.getElementById("cassettes").replaceChildren(
    list(cassettes.cassettes.map((c) => `${c.name}: ${c.interactions} interaction${c.interactions === 1 ? "" : "s"}${c.name === cassettes.active ? " (active)" : ""}`), "none loaded"));
  const ruleLines = rules.rules.map((rule) => `${rule.origin}: ${rule.summary}${rule.remaining === null ? "" : ` (${rule.remaining} left)`}`);
  if (rules.default) ruleLines.push(`default: ${rules.default}`);
  document.getElementById("rules").replaceChildren(list(ruleLines, "none"));
  document.getElementById("faults").replaceChildren(list(faults.faults, "none"), element("div", { class: "muted", text: `seed: ${faults.seed ?? "random"}` }));
  const throttled = quotas.throttled.map((t) => `throttled ${t.model} (${t.metric} > ${t.limit})`);
  document.getElementById("quotas").replaceChildren(list([...quotas.quotas, ...throttled], "none"));
}

function showHeader(health, stats) {
  document.getElementById("server").textContent = `${health.version ? "v" + health.version : ""} · ${health.mode || ""} mode`;
  document.getElementById("stats").textContent =
    `${stats.requests} requests · ${stats.hits} from recordings · ${stats.misses} ${stats.misses === 1 ? "miss" : "misses"} · ${stats.recorded} recorded`;
}

async function refresh() {
  try {
    const [health, stats, journal, cassettes, rules, faults, quotas] = await Promise.all(
      ["health", "stats", "requests?limit=200", "cassettes", "rules", "faults", "quotas"].map(read));
    showHeader(health, stats);
    showRequests(journal.requests);
    showSidebar(cassettes, rules, faults, quotas);
  } catch (error) {
    document.getElementById("server").textContent = `cannot read the server: ${error.message}`;
  }
}

document.getElementById("reset").addEventListener("click", async () => {
  await fetch(API + "reset", { method: "POST" });
  opened.clear();
  refresh();
});

refresh();
setInterval(() => { if (document.getElementById("live").checked) refresh(); }, 1000);
