// Sanshe's own small script. No inline script is allowed by the CSP, so behaviour that
// needs JavaScript is attached here by data- attributes.
(function () {
  "use strict";
  function bind(root) {
    root.querySelectorAll("form[data-autosubmit] select").forEach(function (select) {
      if (select.dataset.bound) return;
      select.dataset.bound = "1";
      select.addEventListener("change", function () { select.form.requestSubmit(); });
    });
    root.querySelectorAll("[data-confirm]").forEach(function (el) {
      if (el.dataset.confirmBound) return;
      el.dataset.confirmBound = "1";
      el.addEventListener("click", function (event) {
        if (!window.confirm(el.dataset.confirm)) { event.preventDefault(); event.stopImmediatePropagation(); }
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { bind(document); });
  document.addEventListener("htmx:load", function (event) { bind(event.target); });
})();
