// 在线考试: every answer is saved when it changes. Until the server acknowledges it, the answer
// is kept in localStorage and sent again (every few seconds, and at once when the network
// returns); a reload puts back what the server has not seen yet. The countdown is the
// server's: it starts from the seconds left when the page was made, not from the phone's
// clock, and hands the exam in by itself at zero. The navigator marks each question answered
// or not as the trainee goes, and "Hand in" first says how many are unanswered. Without
// JavaScript the form still works: "Hand in" posts every answer.
(function () {
  "use strict";
  var zh = document.documentElement.lang.indexOf("zh") === 0;
  var PREFIX = "jingxun-exam-";

  var done = document.getElementById("exam-done");
  if (done) {
    try { localStorage.removeItem(PREFIX + done.dataset.attempt); } catch (e) { /* private mode */ }
    return;
  }
  var form = document.getElementById("exam-form");
  if (!form) return;

  var storeKey = PREFIX + form.dataset.attempt;
  var saveUrl = form.dataset.saveUrl;
  var csrf = form.querySelector("[name=csrfmiddlewaretoken]").value;
  var status = document.getElementById("save-status");
  var countdown = document.getElementById("countdown");
  var pending = load(); // question id → {choices, text, revision}, not yet acknowledged
  var sending = false; // a request is on its way
  var failed = false;
  var signedOut = false;
  var newerElsewhere = false;
  var lastRevision = 0;
  var lastSaved = null;
  var closed = false;
  var submitting = false;

  function load() {
    try { return JSON.parse(localStorage.getItem(storeKey)) || {}; } catch (e) { return {}; }
  }
  function store() {
    try { localStorage.setItem(storeKey, JSON.stringify(pending)); } catch (e) { /* full */ }
  }
  function fieldsetOf(question) {
    return form.querySelector('[data-question="' + question + '"]');
  }
  function read(fieldset) {
    if (fieldset.dataset.kind === "short_answer") {
      return { choices: [], text: fieldset.querySelector("textarea").value };
    }
    var choices = [];
    fieldset.querySelectorAll("input:checked").forEach(function (input) { choices.push(input.value); });
    return { choices: choices, text: "" };
  }
  function isAnswered(answer) {
    return answer.choices.length > 0 || answer.text.trim() !== "";
  }
  // The navigator: each question's number filled in once answered, and the counts.
  function unanswered() {
    return Array.prototype.filter.call(form.querySelectorAll("[data-question]"), function (fieldset) {
      return !isAnswered(read(fieldset));
    });
  }
  function showNavigator() {
    var total = form.querySelectorAll("[data-question]").length;
    var open = unanswered();
    form.querySelectorAll("[data-question]").forEach(function (fieldset) {
      var item = form.querySelector('[data-nav-question="' + fieldset.dataset.question + '"]');
      if (!item) return;
      var answered = open.indexOf(fieldset) === -1;
      item.classList.toggle("answered", answered);
      item.classList.toggle("unanswered", !answered);
    });
    var answeredCount = document.getElementById("exam-nav-answered");
    var unansweredCount = document.getElementById("exam-nav-unanswered");
    if (answeredCount) answeredCount.textContent = total - open.length;
    if (unansweredCount) {
      unansweredCount.textContent = open.length;
      document.getElementById("exam-nav-unanswered-label").classList.toggle("d-none", !open.length);
    }
    return open;
  }
  function showRevision(fieldset, revision) {
    fieldset.querySelector('input[name="r' + fieldset.dataset.question + '"]').value = revision;
  }
  function apply(fieldset, answer) {
    showRevision(fieldset, answer.revision);
    if (fieldset.dataset.kind === "short_answer") {
      fieldset.querySelector("textarea").value = answer.text;
      return;
    }
    fieldset.querySelectorAll("input").forEach(function (input) {
      input.checked = answer.choices.indexOf(input.value) !== -1;
    });
  }
  // A revision is the phone's clock, but never below one the server already holds (another
  // phone whose clock runs ahead may have saved): a new answer always counts as newer.
  function nextRevision() {
    lastRevision = Math.max(Date.now(), lastRevision + 1);
    return lastRevision;
  }
  form.querySelectorAll("[data-revision]").forEach(function (fieldset) {
    lastRevision = Math.max(lastRevision, Number(fieldset.dataset.revision));
  });
  function two(n) { return (n < 10 ? "0" : "") + n; }
  function clock(date) { return two(date.getHours()) + ":" + two(date.getMinutes()) + ":" + two(date.getSeconds()); }

  function showStatus() {
    var waiting = Object.keys(pending).length;
    var alarm = waiting > 0 && (!navigator.onLine || signedOut);
    status.classList.toggle("text-danger", alarm);
    status.classList.toggle("text-body-secondary", !alarm);
    if (closed) {
      status.textContent = zh ? "时间到，正在交卷…" : "Time is up, handing in…";
    } else if (waiting && signedOut) {
      status.textContent = zh
        ? "登录已失效：" + waiting + " 题暂存在本机，请在新窗口重新登录后刷新本页"
        : "Signed out: " + waiting + " kept on this phone; sign in again in a new tab, then reload";
    } else if (waiting) {
      status.textContent = zh
        ? waiting + " 题待保存" + (navigator.onLine ? "…" : "（离线，联网后自动保存）")
        : waiting + " to save" + (navigator.onLine ? "…" : " (offline: saved when back online)");
    } else if (lastSaved) {
      status.textContent = (zh ? "已保存 " : "Saved ") + clock(lastSaved) +
        (newerElsewhere ? (zh ? "（黄框题目在另一设备上有更新的答案）" : " (framed: newer answer from another device)") : "");
    }
  }

  function body(questions) {
    var data = new URLSearchParams();
    data.append("csrfmiddlewaretoken", csrf);
    data.append("answers", JSON.stringify(questions.map(function (question) {
      var answer = pending[question];
      return { question: question, revision: answer.revision, choices: answer.choices, text: answer.text };
    })));
    return data;
  }

  // One request at a time carries every answer not yet acknowledged: after a network failure
  // the whole backlog goes in one request, and the server never sees two saves of one
  // trainee racing each other.
  function flush() {
    var questions = Object.keys(pending);
    if (sending || closed || !questions.length) { showStatus(); return; }
    var sent = {};
    questions.forEach(function (question) { sent[question] = pending[question].revision; });
    sending = true;
    showStatus();
    fetch(saveUrl, { method: "POST", body: body(questions), credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 409) { timeUp(); return null; }
        // A signed-out session is redirected to the login page: not an acknowledgement.
        signedOut = response.redirected || response.status === 401 || response.status === 403;
        var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
        if (!response.ok || signedOut || !json) throw new Error(response.status);
        return response.json();
      })
      .then(function (reply) {
        if (!reply) return;
        // Saved, stale (another phone or tab stored a newer answer, which stays) or refused
        // as invalid: the server has seen them. An answer changed meanwhile stays pending.
        (reply.stale || []).forEach(function (question) {
          var fieldset = fieldsetOf(question);
          if (fieldset) fieldset.classList.add("border-warning");
          newerElsewhere = true;
        });
        Object.keys(sent).forEach(function (question) {
          if (pending[question] && pending[question].revision === sent[question]) delete pending[question];
        });
        store();
        lastSaved = new Date();
      })
      .catch(function () { failed = true; /* still pending: sent again by the next flush */ })
      .then(function () {
        sending = false;
        var again = !failed && Object.keys(pending).length;
        failed = false;
        if (again) flush(); else showStatus();
      });
  }

  function changed(fieldset) {
    showNavigator();
    var answer = read(fieldset);
    answer.revision = nextRevision();
    showRevision(fieldset, answer.revision);
    pending[fieldset.dataset.question] = answer;
    store();
    flush();
  }

  function timeUp() {
    if (submitting) return;
    closed = true;
    submitting = true;
    showStatus();
    form.submit(); // the form carries every answer on screen; the server grades what it has
  }

  // Answers this browser gave that the page does not show yet (newer than the server's) win.
  Object.keys(pending).forEach(function (question) {
    var fieldset = fieldsetOf(question);
    if (fieldset && pending[question].revision > Number(fieldset.dataset.revision)) {
      apply(fieldset, pending[question]);
      lastRevision = Math.max(lastRevision, pending[question].revision);
    } else {
      delete pending[question];
    }
  });
  store();
  showNavigator();
  flush();

  var typing = {};
  form.addEventListener("change", function (event) {
    var fieldset = event.target.closest("[data-question]");
    if (!fieldset) return;
    clearTimeout(typing[fieldset.dataset.question]);
    delete typing[fieldset.dataset.question];
    changed(fieldset);
  });
  form.addEventListener("input", function (event) {
    var fieldset = event.target.closest("[data-question]");
    if (!fieldset || event.target.tagName !== "TEXTAREA") return;
    clearTimeout(typing[fieldset.dataset.question]);
    showNavigator();
    typing[fieldset.dataset.question] = setTimeout(function () {
      delete typing[fieldset.dataset.question];
      changed(fieldset);
    }, 1500);
  });
  // Hand in: a confirmation that counts the unanswered questions ("还有 21 题未作答，确定交卷？"),
  // with a way back to the first of them.
  var confirmDialog = document.getElementById("handin-confirm");
  var goToFirstUnanswered = false;
  function confirmation(open) {
    if (!open.length) return form.dataset.confirm;
    return form.dataset.confirmUnanswered.replace("__count__", open.length);
  }
  function handIn() {
    if (submitting) return;
    submitting = true;
    keepTyping();
    form.submit();
  }
  form.addEventListener("submit", function (event) {
    if (submitting) return;
    event.preventDefault();
    var open = showNavigator();
    if (!confirmDialog || !window.bootstrap) {
      if (window.confirm(confirmation(open))) handIn();
      return;
    }
    document.getElementById("handin-confirm-text").textContent = confirmation(open);
    document.getElementById("handin-back").dataset.target = open.length ? open[0].id : "";
    window.bootstrap.Modal.getOrCreateInstance(confirmDialog).show();
  });
  if (confirmDialog) {
    document.getElementById("handin-confirm-submit").addEventListener("click", handIn);
    document.getElementById("handin-back").addEventListener("click", function () {
      goToFirstUnanswered = true;
    });
    confirmDialog.addEventListener("hidden.bs.modal", function () {
      var target = document.getElementById(document.getElementById("handin-back").dataset.target || "");
      if (goToFirstUnanswered && target) target.scrollIntoView({ behavior: "smooth" });
      goToFirstUnanswered = false;
    });
  }
  window.addEventListener("online", flush);
  setInterval(flush, 5000);
  // Leaving the page: text still waiting for its pause is kept, and what is unsent goes out
  // once more (it also stays in localStorage for the next visit).
  function keepTyping() {
    Object.keys(typing).forEach(function (question) {
      clearTimeout(typing[question]);
      delete typing[question];
      var fieldset = fieldsetOf(question);
      var answer = read(fieldset);
      answer.revision = nextRevision();
      showRevision(fieldset, answer.revision);
      pending[question] = answer;
    });
    store();
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { keepTyping(); flush(); }
  });
  window.addEventListener("pagehide", function () {
    keepTyping();
    var questions = Object.keys(pending);
    if (!navigator.sendBeacon || submitting || !questions.length) return;
    navigator.sendBeacon(saveUrl, body(questions));
  });

  var endsAt = Date.now() + 1000 * Number(countdown.dataset.secondsLeft);
  function tick() {
    var left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
    var hours = Math.floor(left / 3600);
    countdown.textContent = (hours ? hours + ":" : "") + two(Math.floor(left / 60) % 60) + ":" + two(left % 60);
    countdown.classList.toggle("text-bg-danger", left <= 300);
    countdown.classList.toggle("text-bg-dark", left > 300);
    if (left === 0) timeUp();
  }
  tick();
  setInterval(tick, 1000);
})();
