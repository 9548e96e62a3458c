// The queue page (templates/core/queues): keyboard navigation, row selection, tidy URLs.
// No inline script is allowed by the CSP; everything hangs on data- attributes.
//   j / k   move the current row down / up        Enter  open the current row's case
//   x       tick or untick the current row's box  /      focus the search box
(function () {
  "use strict";
  var current = null;

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-queue-table] tbody tr[data-href]"));
  }

  function select(row) {
    if (current) current.classList.remove("is-current");
    current = row;
    if (!row) return;
    row.classList.add("is-current");
    row.setAttribute("tabindex", "-1");
    row.focus({ preventScroll: true });
    row.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    var list = rows();
    if (!list.length) return;
    var index = list.indexOf(current);
    if (index < 0) { select(list[step > 0 ? 0 : list.length - 1]); return; }
    select(list[Math.min(list.length - 1, Math.max(0, index + step))]);
  }

  function typing(target) {
    var tag = (target && target.tagName) || "";
    return tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA" || (target && target.isContentEditable);
  }

  function updateCount() {
    var counter = document.querySelector("[data-selected-count]");
    if (!counter) return;
    var n = document.querySelectorAll("[data-queue-table] tbody input[name=ref]:checked").length;
    counter.textContent = n ? (counter.dataset.template || "{n}").replace("{n}", String(n)) : "";
  }

  // The bulk bar offers only what every ticked row can take: tell it the selection changed.
  function selectionChanged() {
    updateCount();
    document.body.dispatchEvent(new CustomEvent("queue-selection"));
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    if (!document.querySelector("[data-queue-table]")) return;
    if (event.key === "j") { move(1); event.preventDefault(); }
    else if (event.key === "k") { move(-1); event.preventDefault(); }
    else if (event.key === "Enter" && current && document.body.contains(current)) {
      window.location.href = current.dataset.href; event.preventDefault();
    } else if (event.key === "x" && current) {
      var box = current.querySelector("input[name=ref]");
      if (box) { box.checked = !box.checked; selectionChanged(); }
      event.preventDefault();
    } else if (event.key === "/") {
      var search = document.getElementById("queue-q");
      if (search) { search.focus(); event.preventDefault(); }
    }
  });

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("[data-select-all]")) {
      rows().forEach(function (row) {
        var box = row.querySelector("input[name=ref]");
        if (box) box.checked = target.checked;
      });
    }
    if (target.matches && (target.matches("[data-select-all]") || target.name === "ref")) selectionChanged();
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-queue-link]");
    if (link) {
      document.querySelectorAll("[data-queue-link][aria-current]").forEach(function (a) { a.removeAttribute("aria-current"); });
      link.setAttribute("aria-current", "page");
      return;
    }
    var row = event.target.closest && event.target.closest("[data-queue-table] tbody tr[data-href]");
    if (row && row !== current) {
      if (current) current.classList.remove("is-current");
      current = row;
      row.classList.add("is-current");
    }
  });

  // Leave empty filters out of the request, so the pushed URL is short and shareable.
  document.addEventListener("htmx:configRequest", function (event) {
    var elt = event.detail.elt;
    if (!elt || !elt.matches || !elt.matches("[data-queue-filters]")) return;
    var data = event.detail.formData;
    if (!data || !data.keys) return;
    var names = [];
    data.forEach(function (_value, name) { if (names.indexOf(name) < 0) names.push(name); });
    names.forEach(function (name) {
      var kept = data.getAll(name).filter(function (value) { return value !== ""; });
      data.delete(name);
      kept.forEach(function (value) { data.append(name, value); });
    });
  });

  document.addEventListener("htmx:afterSwap", function () {
    if (current && !document.body.contains(current)) current = null;
    updateCount();
  });
})();
