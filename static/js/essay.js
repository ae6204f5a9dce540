// 心得体会: the essay saves by itself a moment after each change, every few seconds while
// something is unsaved, and when the page is hidden or left. Until the server acknowledges a
// text, it is kept in localStorage and sent again (at once when the network returns); a
// reload puts back what the server has not seen yet. Each save carries the writer's clock
// (revision) and the revision the text started from (base): the server keeps the newer text
// and keeps the other as a version. Without JavaScript the form still saves and hands in.
(function () {
  "use strict";
  var zh = document.documentElement.lang.indexOf("zh") === 0;
  var PREFIX = "jingxun-essay-";

  var done = document.getElementById("essay-done");
  if (done) {
    try { localStorage.removeItem(PREFIX + done.dataset.key); } catch (e) { /* private mode */ }
    return;
  }
  var form = document.getElementById("essay-form");
  if (!form) return;

  var storeKey = PREFIX + form.dataset.key;
  var saveUrl = form.dataset.saveUrl;
  var minimum = Number(form.dataset.min);
  var csrf = form.querySelector("[name=csrfmiddlewaretoken]").value;
  var title = document.getElementById("essay-title");
  var body = document.getElementById("essay-body");
  var revisionField = form.querySelector("[name=revision]");
  var baseField = form.querySelector("[name=base]");
  var count = document.getElementById("essay-count");
  var status = document.getElementById("essay-status");

  // The same count as the server's (discussions/services.py): each CJK character, and each
  // word of another script; punctuation and spaces do not count.
  var CJK = "\u2e80-\u2fdf\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\u{20000}-\u{3134f}";
  var LETTER = "(?:(?![" + CJK + "])[\\p{L}\\p{N}])";
  var COUNTED = new RegExp("[" + CJK + "]|" + LETTER + "+(?:['\u2019]" + LETTER + "+)*", "gu");
  function length(text) { return (text.match(COUNTED) || []).length; }

  var server = Number(baseField.dataset.serverRevision); // the revision this tab last had acknowledged
  var lastRevision = server;
  var pending = null; // {title, body, revision, base}: typed, not yet acknowledged
  var sending = false;
  var typing = null;
  var problem = ""; // "offline", "signed-out", "refused", "newer"
  var refusal = "";
  var lastSaved = null;

  function two(n) { return (n < 10 ? "0" : "") + n; }
  function clock(date) { return two(date.getHours()) + ":" + two(date.getMinutes()) + ":" + two(date.getSeconds()); }
  // A revision is the phone's clock, but always above what this tab has seen: a change made
  // here is newer than the text it was made on, whatever the clocks of other phones say.
  function nextRevision() {
    lastRevision = Math.max(Date.now(), lastRevision + 1);
    return lastRevision;
  }
  function load() {
    try { return JSON.parse(localStorage.getItem(storeKey)); } catch (e) { return null; }
  }
  function store() {
    try {
      if (pending) localStorage.setItem(storeKey, JSON.stringify(pending));
      else localStorage.removeItem(storeKey);
    } catch (e) { /* storage full or disabled: the server copy is all there is */ }
  }

  function showCount() {
    var n = length(body.value);
    count.textContent = zh ? n + " / " + minimum + " 字" : n + " / " + minimum + " characters";
    count.classList.toggle("text-success", n >= minimum);
  }
  function showStatus() {
    var alarm = pending && problem && problem !== "newer";
    status.classList.toggle("text-danger", Boolean(alarm) || problem === "refused");
    status.classList.toggle("text-warning-emphasis", problem === "newer");
    status.classList.toggle("text-body-secondary", !alarm && !problem);
    if (problem === "refused") {
      status.textContent = refusal;
    } else if (pending && problem === "signed-out") {
      status.textContent = zh
        ? "登录已失效：内容暂存在本机，请在新窗口重新登录后刷新本页"
        : "Signed out: kept on this phone; sign in again in a new tab, then reload";
    } else if (pending && problem === "offline") {
      status.textContent = zh ? "离线：内容暂存在本机，联网后自动保存" : "Offline: kept on this phone, saved when back online";
    } else if (pending) {
      status.textContent = zh ? "正在保存…" : "Saving…";
    } else if (problem === "newer") {
      status.textContent = zh
        ? "另一窗口保存了更新的内容；本窗口的内容已存为历史版本，刷新可查看"
        : "A newer text was saved in another window; this one is kept under Versions (reload to see)";
    } else if (lastSaved) {
      status.textContent = (zh ? "已保存 " : "Saved ") + lastSaved;
    }
  }

  function changed() {
    pending = { title: title.value, body: body.value, revision: nextRevision(), base: server };
    store();
    showCount();
    showStatus();
  }

  function payload(text) {
    var data = new URLSearchParams();
    data.append("csrfmiddlewaretoken", csrf);
    data.append("title", text.title);
    data.append("body", text.body);
    data.append("revision", text.revision);
    data.append("base", text.base);
    return data;
  }

  // One request at a time: the server never sees two saves of this tab racing each other.
  function flush() {
    if (sending || !pending) { showStatus(); return; }
    var sent = pending;
    sending = true;
    fetch(saveUrl, { method: "POST", body: payload(sent), credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 409) {
          return response.json().then(function (reply) { throw { refused: reply.error }; });
        }
        // A signed-out session is redirected to the login page: not an acknowledgement.
        var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
        if (response.redirected || response.status === 401 || response.status === 403 || !json) {
          throw { signedOut: true };
        }
        if (!response.ok) throw { status: response.status };
        return response.json();
      })
      .then(function (reply) {
        problem = reply.result === "stale" ? "newer" : "";
        if (reply.result === "saved") server = reply.revision;
        lastSaved = reply.saved_at;
        if (pending === sent) {
          pending = null;
        } else if (pending && reply.result === "saved") {
          pending.base = server; // typed on top of what the server now holds
        }
        store();
      })
      .catch(function (error) {
        if (error && error.refused) { problem = "refused"; refusal = error.refused; }
        else if (error && error.signedOut) { problem = "signed-out"; }
        else { problem = "offline"; }
      })
      .then(function () {
        sending = false;
        showStatus();
        if (pending && !problem) flush();
      });
  }

  // Text this browser holds that the server has not acknowledged (a closed tab, no network)
  // is newer than the page's: put it back, and send it.
  var kept = load();
  if (kept && kept.revision > server) {
    title.value = kept.title;
    body.value = kept.body;
    pending = kept;
    lastRevision = Math.max(lastRevision, kept.revision);
  } else {
    pending = null;
  }
  store();
  showCount();
  flush();

  function typed() {
    changed();
    clearTimeout(typing);
    typing = setTimeout(flush, 1500);
  }
  title.addEventListener("input", typed);
  body.addEventListener("input", typed);
  window.addEventListener("online", function () { if (problem === "offline") problem = ""; flush(); });
  setInterval(function () {
    if (problem === "offline" || problem === "signed-out") problem = "";
    flush();
  }, 5000);

  // The buttons post the text on screen with its revision (unchanged text: the server's).
  form.addEventListener("submit", function (event) {
    var handIn = event.submitter && event.submitter.value === "submit";
    if (handIn && !window.confirm(form.dataset.confirm)) { event.preventDefault(); return; }
    revisionField.value = pending ? pending.revision : server;
    baseField.value = pending ? pending.base : server;
  });
  // A restore replaces the text: only once everything typed here has reached the server.
  document.querySelectorAll("form.essay-restore").forEach(function (restore) {
    restore.addEventListener("submit", function (event) {
      if (!pending) return;
      event.preventDefault();
      flush();
      status.textContent = zh ? "请等保存完成后再恢复" : "Wait until the text is saved, then restore";
    });
  });

  // Leaving the page: what is unsent goes out once more (it also stays in localStorage).
  function leave() {
    if (!pending || !navigator.sendBeacon) return;
    navigator.sendBeacon(saveUrl, payload(pending));
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") leave();
  });
  window.addEventListener("pagehide", leave);
})();
