// The sandbox phone's behaviour: pick a sender, send texts through the
// emulator's phone API, and poll the thread. Everything is rendered with
// textContent, because message bodies come from the agent.
"use strict";

const $ = (id) => document.getElementById(id);
const E164 = /^\+[1-9]\d{6,14}$/;
const POLL_MS = 1000;
const STORAGE_KEY = "sandbox-phone-from";

let info = { agentNumber: "", pairingCommand: "", canApprove: false, numbers: [], agent: "ready" };
let shownSignature = "";
// Button state outlives re-renders: code → { state: "running" | "done" | "failed", output }.
const approvals = new Map();
// The picture waiting to go with the next text: { name, data (base64) } or null.
let picture = null;
const MAX_PICTURE_BYTES = 5 * 1024 * 1024;

async function api(path, body) {
  const response = await fetch(`/phone/api/${path}`, body === undefined
    ? { cache: "no-store" }
    : { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.error || `HTTP ${response.status}`);
  return data;
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function plural(n, word) {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function currentFrom() {
  return $("from").value.trim();
}

// What the note says, for the notes that a later poll takes back: "held"
// (a text waits for the agent) and "lost" (the sandbox stopped answering).
let noteKind = "";

function note(text, isError, kind = "") {
  const target = $("note");
  target.textContent = text;
  target.className = isError ? "error" : "";
  noteKind = text ? kind : "";
}

function pairingBox(entry) {
  const box = el("div", "pairing");
  const command = `${info.pairingCommand} ${entry.pairingCode}`;
  box.append(el("div", "caption", "The owner approves this sender with:"), el("code", "", command));
  const state = approvals.get(entry.pairingCode) ?? (entry.approved ? { state: "done" } : undefined);
  if (!info.canApprove) {
    box.append(el("span", "result", "Run this in a terminal to approve."));
    return box;
  }
  const button = el("button", state?.state === "done" ? "done" : "", state?.state === "done" ? "✓ Approved" : state?.state === "running" ? "Approving…" : "Approve");
  button.type = "button";
  button.disabled = state?.state === "done" || state?.state === "running";
  button.addEventListener("click", () => approve(entry.pairingCode));
  box.append(button);
  if (state?.state === "done") box.append(el("span", "result", state.output || "Approved earlier."));
  if (state?.state === "failed") box.append(el("pre", "", state.output));
  return box;
}

// Twilio's statuses for a reply, in the words a handset would use; anything else is shown as Twilio names it.
const DELIVERY_LABELS = {
  accepted: "Accepted",
  scheduled: "Scheduled",
  queued: "Queued",
  sending: "Sending",
  sent: "Sent",
  delivered: "Delivered",
  undelivered: "Not delivered",
  failed: "Failed",
};

function deliveryBadge(status) {
  const badge = el("span", `delivery ${status}`, DELIVERY_LABELS[status] ?? status);
  badge.dataset.status = status;
  badge.title = `Twilio message status: ${status}`;
  return badge;
}

function messageItem(entry) {
  const item = el("li", `msg ${entry.direction}`);
  item.dataset.sid = entry.sid;
  for (const src of entry.media ?? []) {
    const image = el("img", "picture");
    image.src = src;
    image.alt = entry.direction === "sent" ? "Picture you sent" : "Picture from the agent";
    item.append(image);
  }
  if (entry.body !== "" || !entry.media?.length) item.append(el("div", "bubble", entry.body));
  if (entry.pairingCode) item.append(pairingBox(entry));
  const meta = el("div", "meta");
  const time = new Date(entry.at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  const held = entry.direction === "sent" && entry.status.startsWith("waiting");
  const bad = entry.direction === "sent" && !held && entry.status !== "webhook 200";
  meta.append(`${plural(entry.numSegments, "segment")} · ${entry.encoding} · `);
  meta.append(entry.direction === "received" ? deliveryBadge(entry.status) : el("span", held ? "held" : bad ? "bad" : "", entry.status));
  meta.append(` · ${time}`);
  meta.append(el("br"));
  meta.append(el("span", "sid", entry.sid));
  item.append(meta);
  return item;
}

function costLine(cost) {
  return `Replies ${plural(cost.replySegments, "segment")} · your texts ${plural(cost.textSegments, "segment")}`;
}

function render(thread) {
  const signature = JSON.stringify([thread, [...approvals]]);
  if (signature === shownSignature) return;
  shownSignature = signature;
  const list = $("thread");
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  list.replaceChildren(...thread.messages.map(messageItem));
  if (thread.messages.length === 0) {
    list.append(el("li", "empty", "No texts yet. Say hi: a number the agent has never seen gets a pairing code first."));
  }
  $("opted-out").hidden = !thread.optedOut;
  $("billed").textContent = costLine(thread.cost);
  if (atBottom || thread.messages.length > 0) list.scrollTop = list.scrollHeight;
}

async function refresh() {
  const from = currentFrom();
  if (!E164.test(from)) return;
  const thread = await api(`thread?number=${encodeURIComponent(from)}`);
  if (thread.number === currentFrom()) render(thread);
}

// The page is served while the gateway boots, and may outlive one `npm start`
// and see the next: the banner follows the agent's state on every poll. Once
// the agent is up or has failed, the held texts went out or are marked "not
// sent" in their bubbles, and the banner says the rest.
function showAgent(agent) {
  if (noteKind === "held" && agent !== "starting") note("");
  info.agent = agent;
  $("agent-starting").hidden = agent !== "starting";
  $("agent-failed").hidden = agent !== "failed";
}

async function poll() {
  try {
    const { agent } = await api("info");
    // Answering again: a new `npm start` on the same address, or a moment's hiccup.
    if (noteKind === "lost") note("");
    showAgent(agent);
    await refresh();
  } catch (error) {
    // npm start has stopped: a failed start or Ctrl-C. Nothing here is starting any more.
    $("agent-starting").hidden = true;
    note(`Lost the sandbox (${error.message}): is npm start still running? Its terminal says why it stopped.`, true, "lost");
  } finally {
    setTimeout(poll, POLL_MS);
  }
}

async function approve(code) {
  approvals.set(code, { state: "running" });
  await refresh();
  try {
    const result = await api("approve", { code });
    approvals.set(code, { state: result.ok ? "done" : "failed", output: result.output });
  } catch (error) {
    approvals.set(code, { state: "failed", output: error.message });
  }
  await refresh();
}

async function sendText(text) {
  const from = currentFrom();
  if (!E164.test(from)) {
    note("Pick a sender number in E.164 form, e.g. +15551230001.", true);
    $("from").focus();
    return;
  }
  if (text.trim() === "" && !picture) return;
  $("send").disabled = true;
  try {
    const result = await api("send", { from, body: text, ...(picture ? { picture: { data: picture.data } } : {}) });
    clearPicture();
    if (result.webhookStatus === "held") note("Held on the phone: it goes out as soon as your agent is up.", false, "held");
    else if (result.webhookStatus === "not sent") note("Not sent: your agent did not start. The terminal running npm start says why.", true);
    else note(result.webhookStatus === 200 ? "" : result.webhookStatus === 0 ? "The gateway did not answer." : `The gateway answered ${result.webhookStatus}.`, result.webhookStatus !== 200);
    remember(from);
    return true;
  } catch (error) {
    note(error.message, true);
    return false;
  } finally {
    $("send").disabled = false;
    await refresh().catch(() => undefined);
  }
}

function showPicture() {
  $("attachment").hidden = !picture;
  $("attachment-name").textContent = picture ? picture.name : "";
}

function clearPicture() {
  picture = null;
  $("picture").value = "";
  showPicture();
}

function attachPicture(file) {
  if (!file) return;
  if (file.size > MAX_PICTURE_BYTES) {
    note("A picture holds at most 5 MB.", true);
    clearPicture();
    return;
  }
  const reader = new FileReader();
  reader.addEventListener("load", () => {
    // A data: URL is "data:<type>;base64,<data>"; the emulator reads the type from the bytes.
    picture = { name: file.name, data: String(reader.result).split(",")[1] ?? "" };
    note("");
    showPicture();
  });
  reader.addEventListener("error", () => note("Could not read that picture.", true));
  reader.readAsDataURL(file);
}

function remember(number) {
  localStorage.setItem(STORAGE_KEY, number);
  if (!info.numbers.includes(number)) {
    info.numbers.unshift(number);
    fillNumbers();
  }
}

function fillNumbers() {
  $("numbers").replaceChildren(...info.numbers.map((n) => Object.assign(document.createElement("option"), { value: n })));
}

function selectSender(number) {
  $("from").value = number;
  shownSignature = "";
  note("");
  refresh().catch((error) => note(error.message, true));
}

let countTimer;
function updateCount() {
  clearTimeout(countTimer);
  const text = $("body").value;
  const box = $("body");
  box.style.height = "auto";
  box.style.height = `${box.scrollHeight + 2}px`;
  if (text === "") {
    $("count").textContent = "";
    return;
  }
  countTimer = setTimeout(async () => {
    const count = await api(`count?body=${encodeURIComponent(text)}`).catch(() => undefined);
    if (count && $("body").value === text) {
      $("count").textContent = `${text.length} chars · ${plural(count.numSegments, "segment")} · ${count.encoding}`;
    }
  }, 150);
}

async function start() {
  info = await api("info");
  $("agent-number").textContent = info.agentNumber;
  showAgent(info.agent);
  fillNumbers();
  const saved = localStorage.getItem(STORAGE_KEY);
  selectSender(saved && E164.test(saved) ? saved : info.numbers[0] ?? "");

  $("from").addEventListener("change", () => selectSender(currentFrom()));
  $("new-number").addEventListener("click", () => {
    const digits = String(Math.floor(Math.random() * 1e7)).padStart(7, "0");
    selectSender(`+1555${digits}`);
  });
  $("composer").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (await sendText($("body").value)) {
      $("body").value = "";
      updateCount();
    }
  });
  $("body").addEventListener("input", updateCount);
  $("attach").addEventListener("click", () => $("picture").click());
  $("picture").addEventListener("change", () => attachPicture($("picture").files[0]));
  $("remove-picture").addEventListener("click", clearPicture);
  $("body").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $("composer").requestSubmit();
    }
  });
  for (const chip of document.querySelectorAll(".chips button")) {
    chip.addEventListener("click", () => sendText(chip.dataset.text));
  }
  poll();
}

start().catch((error) => note(`Could not reach the emulator: ${error.message}`, true));
