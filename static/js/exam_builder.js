// 组卷: the question picker filters the bank by category and by words of the question as one
// types (nothing is sent), ticks or unticks every question shown, and adds up the questions
// and points ticked as boxes change. A tick hidden by the filter stays ticked and is sent.
// Without JavaScript the filter is a GET round trip (exams.selectors.bank.shown_by, the same
// rule) and the total is the page's.
(function () {
  "use strict";
  var form = document.getElementById("pick-form");
  if (!form) return;
  var category = document.getElementById("pick-category");
  var keyword = document.getElementById("pick-keyword");
  var selectShown = document.getElementById("pick-select-shown");
  var clearShown = document.getElementById("pick-clear-shown");
  var shownNote = document.getElementById("pick-shown");
  var noMatch = document.getElementById("pick-no-match");
  var total = document.getElementById("pick-total");
  var items = Array.prototype.slice.call(form.querySelectorAll(".pick-item"));
  var composing = false; // typing through a pinyin keyboard: wait for the characters

  function box(item) {
    return item.querySelector("input[type=checkbox]");
  }

  function shown() {
    return items.filter(function (item) { return !item.hidden; });
  }

  function filter() {
    if (composing) return;
    var wanted = category ? category.value : "";
    var words = keyword ? keyword.value.trim().toLowerCase() : "";
    items.forEach(function (item) {
      var inCategory = !wanted || item.dataset.category === wanted;
      item.hidden = !(inCategory && (item.dataset.text || "").indexOf(words) !== -1);
    });
    var count = shown().length;
    if (noMatch) noMatch.hidden = count > 0;
    if (shownNote) {
      shownNote.hidden = !wanted && !words;
      shownNote.textContent = shownNote.dataset.template
        .replace("{shown}", count)
        .replace("{total}", items.length);
    }
    // The address says the filter, so that a reload or the back button keeps it.
    if (window.history.replaceState) {
      var url = new URL(window.location.href);
      ["category", "q"].forEach(function (name) { url.searchParams.delete(name); });
      if (wanted) url.searchParams.set("category", wanted);
      if (words) url.searchParams.set("q", keyword.value.trim());
      window.history.replaceState(null, "", url);
    }
  }

  // Points have one decimal (exams.models.POINTS): add tenths, as integers, to stay exact.
  function tenths(value) {
    return Math.round(parseFloat(value || "0") * 10);
  }

  function addUp() {
    var count = 0;
    var points = 0;
    items.forEach(function (item) {
      var input = box(item);
      if (input.checked) {
        count += 1;
        points += tenths(input.dataset.points);
      }
    });
    var text = points % 10 === 0 ? String(points / 10) : (points / 10).toFixed(1);
    total.dataset.count = count;
    total.dataset.points = text;
    total.textContent = total.dataset.template.replace("{count}", count).replace("{points}", text);
  }

  function tickShown(checked) {
    shown().forEach(function (item) { box(item).checked = checked; });
    addUp();
  }

  if (category) category.addEventListener("change", filter);
  if (keyword) {
    keyword.addEventListener("compositionstart", function () { composing = true; });
    keyword.addEventListener("compositionend", function () { composing = false; filter(); });
    keyword.addEventListener("input", filter);
  }
  var filterForm = document.getElementById("pick-filter");
  if (filterForm) {
    // Enter in the keyword box filters here; it does not reload the page.
    filterForm.addEventListener("submit", function (event) { event.preventDefault(); filter(); });
    var submit = document.getElementById("pick-filter-submit");
    if (submit) submit.hidden = true;
  }
  [selectShown, clearShown].forEach(function (button) { if (button) button.hidden = false; });
  if (selectShown) selectShown.addEventListener("click", function () { tickShown(true); });
  if (clearShown) clearShown.addEventListener("click", function () { tickShown(false); });
  form.addEventListener("change", addUp);
  filter();
  addUp();
})();
