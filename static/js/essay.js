// 心得体会: the essay saves by itself a moment after each change, every few seconds while
// something is unsaved, and when the page is hidden or left. Until the server acknowledges a
// text, it is kept in localStorage (under this trainee's own key) and sent again, at once when
// the network returns; a reload puts back what the server has not seen yet. Each save carries
// the writer's clock (revision) and the revision the text started from (base): the server
// stores the newer text and keeps any other as a version, so no text that reached it is lost.
// Without JavaScript the form still saves and hands in.
(function () {
  "use strict";
  var zh = document.documentElement.lang.indexOf("zh") === 0;
  var PREFIX = "jingxun-essay-";
  var TIMEOUT = 15000; // a request that hangs counts as offline, and is tried again

  function read(key) {
    var kept = null;
    try { kept = JSON.parse(localStorage.getItem(key)); } catch (e) { /* private mode */ }
    if (!kept || typeof kept !== "object") kept = {};
    return { older: Array.isArray(kept.older) ? kept.older : [], live: kept.live || null };
  }
  function write(key, kept) {
    try {
      if (kept.live || kept.older.length) localStorage.setItem(key, JSON.stringify(kept));
      else localStorage.removeItem(key);
    } catch (e) { /* storage full or disabled: the server copy is all there is */ }
  }
  function payload(csrf, text) {
    var data = new URLSearchParams();
    data.append("csrfmiddlewaretoken", csrf);
    data.append("title", text.title);
    data.append("body", text.body);
    data.append("revision", text.revision);
    data.append("base", text.base);
    return data;
  }
  function post(url, data) {
    var abort = window.AbortController ? new AbortController() : null;
    var timer = abort && setTimeout(function () { abort.abort(); }, TIMEOUT);
    return fetch(url, {
      method: "POST", body: data, credentials: "same-origin", signal: abort ? abort.signal : undefined
    }).then(function (response) { clearTimeout(timer); return response; },
            function (error) { clearTimeout(timer); throw error; });
  }

  // Handed in: whatever this phone still holds is sent once more, so that the server keeps it
  // as a version (the organizers may return the essay), then forgotten.
  var done = document.getElementById("essay-done");
  if (done) {
    var doneKey = PREFIX + done.dataset.key;
    var left = read(doneKey);
    var texts = left.older.concat(left.live ? [left.live] : []);
    var csrfField = document.querySelector("[name=csrfmiddlewaretoken]");
    if (!texts.length || !csrfField) return;
    Promise.all(texts.map(function (text) {
      return post(done.dataset.saveUrl, payload(csrfField.value, text)).then(function (response) {
        return response.status === 200 || response.status === 409;
      }, function () { return false; });
    })).then(function (taken) {
      write(doneKey, { older: texts.filter(function (text, i) { return !taken[i]; }), live: null });
    });
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

  // The same count as the server's (discussions/services/essays.py): each CJK character, and each
  // word of another script; punctuation and spaces do not count.
  var CJK = "\u2e80-\u2fdf\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\u{20000}-\u{3134f}";
  var LETTER = "(?:(?![" + CJK + "])[\\p{L}\\p{N}])";
  var COUNTED = new RegExp("[" + CJK + "]|" + LETTER + "+(?:['\u2019]" + LETTER + "+)*", "gu");
  function length(text) { return (text.match(COUNTED) || []).length; }

  var server = Number(baseField.dataset.serverRevision); // the revision this tab last had acknowledged
  var lastRevision = server;
  var kept = read(storeKey); // live: typed here, not yet acknowledged; older: texts still to send
  var sending = false;
  var typing = null;
  var problem = ""; // "offline", "signed-out", "refused", "newer"
  var refusal = "";
  var lastSaved = null;

  function two(n) { return (n < 10 ? "0" : "") + n; }
  // A revision is the phone's clock, but always above what this tab has seen: a change made
  // here is newer than the text it was made on, whatever the clocks of other phones say.
  function nextRevision() {
    lastRevision = Math.max(Date.now(), lastRevision + 1);
    return lastRevision;
  }
  function store() { write(storeKey, kept); }
  function waiting() { return Boolean(kept.live || kept.older.length); }

  function showCount() {
    var n = length(body.value);
    count.textContent = zh ? n + " / " + minimum + " 字" : n + " / " + minimum + " characters";
    count.classList.toggle("text-success", n >= minimum);
  }
  function showStatus() {
    var alarm = waiting() && (problem === "offline" || problem === "signed-out");
    status.classList.toggle("text-danger", alarm || problem === "refused");
    status.classList.toggle("text-warning-emphasis", problem === "newer");
    status.classList.toggle("text-body-secondary", !alarm && !problem);
    if (problem === "refused") {
      status.textContent = refusal;
    } else if (alarm && problem === "signed-out") {
      status.textContent = zh
        ? "登录已失效：内容暂存在本机，请在新窗口重新登录后刷新本页"
        : "Signed out: kept on this phone; sign in again in a new tab, then reload";
    } else if (alarm) {
      status.textContent = zh ? "离线：内容暂存在本机，联网后自动保存" : "Offline: kept on this phone, saved when back online";
    } else if (waiting()) {
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
    kept.live = { title: title.value, body: body.value, revision: nextRevision(), base: server };
    store();
    showCount();
    showStatus();
  }

  function refused(message) {
    problem = "refused";
    refusal = message || (zh ? "保存失败，请刷新页面后重试" : "Not saved: reload the page");
  }

  // One request at a time, the texts left from before first: the server never sees two
  // saves of this tab racing each other.
  function flush() {
    if (sending || problem === "refused" || !waiting()) { showStatus(); return; }
    var older = kept.older.length > 0;
    var sent = older ? kept.older[0] : kept.live;
    sending = true;
    post(saveUrl, payload(csrf, sent))
      .then(function (response) {
        if (response.status >= 500) throw { status: response.status }; // tried again later
        // A signed-out session is redirected to the login page: not an acknowledgement.
        var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
        if (response.redirected || response.status === 401 || response.status === 403 || !json) {
          throw { signedOut: true };
        }
        return response.json().then(function (reply) { return { status: response.status, reply: reply }; });
      })
      .then(function (answer) {
        var reply = answer.reply;
        if (answer.status === 409 && reply.result !== "locked") { refused(reply.error); return; }
        if (answer.status !== 200 && answer.status !== 409) { refused(reply.error); return; }
        // Stored, kept as a version (stale, or the essay is handed in): the server has it.
        if (older) {
          kept.older.shift();
        } else if (kept.live === sent) {
          kept.live = null;
        } else if (kept.live && reply.result === "saved") {
          kept.live.base = reply.revision; // typed on top of what the server now holds
        }
        store();
        if (answer.status === 409) { refused(reply.error); return; }
        if (reply.result === "saved") server = Math.max(server, reply.revision);
        if (!older) problem = reply.result === "stale" ? "newer" : "";
        lastSaved = reply.saved_at;
      })
      .catch(function (error) {
        problem = error && error.signedOut ? "signed-out" : "offline";
      })
      .then(function () {
        sending = false;
        showStatus();
        if (waiting() && (problem === "" || problem === "newer")) flush();
      });
  }

  // The page shows the server's text (a browser's own restore of the fields is undone). Text
  // this phone holds that the server has not acknowledged is newer: it is put back and sent.
  // A held text that is older than the server's is sent too: the server keeps it as a version.
  title.value = title.defaultValue;
  body.value = body.defaultValue;
  if (kept.live && kept.live.revision > server) {
    title.value = kept.live.title;
    body.value = kept.live.body;
    lastRevision = Math.max(lastRevision, kept.live.revision);
  } else if (kept.live) {
    if (kept.live.title !== title.value || kept.live.body !== body.value) kept.older.push(kept.live);
    kept.live = null;
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
    revisionField.value = kept.live ? kept.live.revision : server;
    baseField.value = kept.live ? kept.live.base : server;
  });
  // A restore replaces the text: only once everything typed here has reached the server.
  document.querySelectorAll("form.essay-restore").forEach(function (restore) {
    restore.addEventListener("submit", function (event) {
      if (!waiting()) return;
      event.preventDefault();
      flush();
      status.textContent = zh ? "请等保存完成后再恢复" : "Wait until the text is saved, then restore";
    });
  });

  // Leaving the page: what is unsent goes out once more (it also stays in localStorage).
  function leave() {
    if (!kept.live || !navigator.sendBeacon) return;
    navigator.sendBeacon(saveUrl, payload(csrf, kept.live));
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") leave();
  });
  window.addEventListener("pagehide", leave);
})();
