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
  // htmx does not swap error responses: say what went wrong in the page's banner instead of
  // leaving the user with a button that seems to do nothing. The server's own message (the
  // error page's [data-error-detail], or a plain-text body) is shown; nothing else changes.
  function showError(text) {
    var banner = document.getElementById("request-error");
    if (!banner) return;
    banner.textContent = text;
    banner.hidden = false;
  }
  function serverMessage(xhr) {
    var body = (xhr && xhr.responseText) || "";
    var type = (xhr && xhr.getResponseHeader("content-type")) || "";
    if (type.indexOf("text/html") === 0) {
      var doc = new DOMParser().parseFromString(body, "text/html");
      var detail = doc.querySelector("[data-error-detail]") || doc.querySelector("[role=alert]");
      return detail ? detail.textContent.trim() : "";
    }
    if (type.indexOf("application/json") === 0) {
      try { return String(JSON.parse(body).detail || ""); } catch (e) { return ""; }
    }
    return body.trim().slice(0, 500);
  }
  document.addEventListener("htmx:responseError", function (event) {
    showError(serverMessage(event.detail.xhr) || document.body.dataset.serverError || "");
  });
  ["htmx:sendError", "htmx:timeout"].forEach(function (name) {
    document.addEventListener(name, function () { showError(document.body.dataset.networkError || ""); });
  });
  // A later request of the user's that succeeds clears the banner; a background refresh
  // (the bell, the queue counts: marked data-background) never hides an error just shown.
  document.addEventListener("htmx:afterRequest", function (event) {
    var banner = document.getElementById("request-error");
    var elt = event.detail.elt;
    var background = elt && elt.closest && elt.closest("[data-background]");
    if (banner && event.detail.successful && !background) banner.hidden = true;
  });
  document.addEventListener("click", function (event) {
    if (event.target && event.target.id === "request-error") event.target.hidden = true;
  });
  // On a phone the menu starts closed, so the page's own content comes first; without
  // JavaScript it stays open (the page is still usable).
  function closeMenuOnPhone() {
    if (!window.matchMedia("(max-width: 768px)").matches) return;
    document.querySelectorAll("details.nav-toggle[open]").forEach(function (d) { d.removeAttribute("open"); });
  }
  document.addEventListener("DOMContentLoaded", function () { closeMenuOnPhone(); bind(document); });
  document.addEventListener("htmx:load", function (event) { bind(event.target); });
})();
