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
  // The element that sent the request is requestConfig.elt: when its answer swapped it out of
  // the page (the bell replaces itself), htmx fires afterRequest again on a parent still in the
  // page and detail.elt is that parent, which is not marked data-background.
  document.addEventListener("htmx:afterRequest", function (event) {
    var banner = document.getElementById("request-error");
    var config = event.detail.requestConfig;
    var elt = (config && config.elt) || event.detail.elt;
    var background = elt && elt.closest && elt.closest("[data-background]");
    if (banner && event.detail.successful && !background) banner.hidden = true;
  });
  document.addEventListener("click", function (event) {
    if (event.target && event.target.id === "request-error") event.target.hidden = true;
  });
  // One-time form tokens (core/web/idempotency.py): every form carries a hidden _form_token,
  // so a double click or a resubmitted page creates one record. A form the user changes is a
  // new submission: it gets a new token. Helper requests sent by an element inside a form
  // (checking a field, adding a row, a preview) are no submission of it: they go without.
  function newToken() {
    var bytes = new Uint8Array(18);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function renewToken(form) {
    var field = form && form.querySelector && form.querySelector("input[name=_form_token]");
    if (field) field.value = newToken();
  }
  ["input", "change"].forEach(function (name) {
    document.addEventListener(name, function (event) {
      var target = event.target;
      if (target && target.form && target.name !== "_form_token") renewToken(target.form);
    }, true);
  });
  document.addEventListener("reset", function (event) { renewToken(event.target); }, true);
  document.addEventListener("htmx:configRequest", function (event) {
    var elt = event.detail.elt;
    if (elt && elt.tagName !== "FORM" && event.detail.parameters) delete event.detail.parameters._form_token;
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
