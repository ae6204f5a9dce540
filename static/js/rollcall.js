// 点名表: the search box filters the rows by name or police ID as one types (nothing is sent);
// each group's counts and the question of "mark all remaining present" follow every tap. The
// rows say their state: data-status (the record's, "" before one) and data-leave ("approved",
// "pending" or ""). Without JavaScript the sheet still works: every row shown, the counts as
// the page was made.
(function () {
  "use strict";
  var search = document.getElementById("rollcall-search");
  var noMatch = document.getElementById("rollcall-no-match");
  var allPresent = document.getElementById("rollcall-all-present");
  var ATTENDED = ["present", "late", "left_early"];
  var composing = false; // typing a name through a pinyin keyboard: wait for the characters

  function sections() {
    return Array.prototype.slice.call(document.querySelectorAll(".rollcall-group"));
  }

  function rowsOf(element) {
    return Array.prototype.slice.call(element.querySelectorAll("tr.rollcall-row"));
  }

  // Full-width digits (a Chinese keyboard's) read as digits; case does not matter.
  function normal(text) {
    return (text.normalize ? text.normalize("NFKC") : text).toLowerCase().replace(/\s+/g, "");
  }

  function filter() {
    if (!search || composing) return;
    var wanted = normal(search.value);
    var shown = 0;
    sections().forEach(function (section) {
      var inSection = 0;
      rowsOf(section).forEach(function (row) {
        var match = !wanted || normal(row.dataset.search || "").indexOf(wanted) !== -1;
        row.hidden = !match;
        if (match) inSection += 1;
      });
      section.hidden = inSection === 0;
      shown += inSection;
    });
    if (noMatch) noMatch.hidden = shown > 0 || sections().length === 0;
  }

  function tally(rows) {
    var counts = { expected: rows.length, attended: 0, leave: 0, unmarked: 0, toLeave: 0 };
    rows.forEach(function (row) {
      var status = row.dataset.status;
      var approved = row.dataset.leave === "approved";
      if (ATTENDED.indexOf(status) !== -1) counts.attended += 1;
      if (status === "leave" || (!status && approved)) counts.leave += 1;
      if (!status && approved) counts.toLeave += 1;
      if (!status && !approved) counts.unmarked += 1;
    });
    return counts;
  }

  function recount() {
    var all = { unmarked: 0, toLeave: 0 };
    sections().forEach(function (section) {
      var counts = tally(rowsOf(section));
      ["expected", "attended", "leave", "unmarked"].forEach(function (name) {
        var cell = section.querySelector('[data-count="' + name + '"]');
        if (cell) cell.textContent = counts[name];
      });
      all.unmarked += counts.unmarked;
      all.toLeave += counts.toLeave;
    });
    if (!allPresent) return;
    var template = all.toLeave ? allPresent.dataset.confirmPresentLeave : allPresent.dataset.confirmPresent;
    allPresent.dataset.confirm = template
      .replace("{present}", all.unmarked)
      .replace("{leave}", all.toLeave);
    var button = allPresent.querySelector("button[type=submit]");
    if (button) button.disabled = all.unmarked + all.toLeave === 0;
  }

  if (search) {
    search.addEventListener("compositionstart", function () { composing = true; });
    search.addEventListener("compositionend", function () { composing = false; filter(); });
    search.addEventListener("input", filter);
    search.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { search.value = ""; filter(); } // Esc clears the search
    });
  }
  // A tap swaps its row (htmx): count again, and keep the row under the current search.
  document.addEventListener("htmx:load", function () { recount(); filter(); });
  recount();
  filter();
})();
