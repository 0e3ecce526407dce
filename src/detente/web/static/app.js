// Détente web app: a little plain JavaScript, no framework, nothing fetched from elsewhere.
(function () {
  "use strict";

  // Tabs: buttons with data-tab="id" show the panel with that id (the form posts the chosen mode).
  document.querySelectorAll("[data-tabs]").forEach(function (group) {
    var buttons = group.querySelectorAll("button[data-tab]");
    var modeInput = document.getElementById(group.getAttribute("data-tabs"));
    function show(id) {
      buttons.forEach(function (b) {
        var on = b.getAttribute("data-tab") === id;
        b.setAttribute("aria-selected", on ? "true" : "false");
        var panel = document.getElementById("panel-" + b.getAttribute("data-tab"));
        if (panel) { panel.hidden = !on; }
      });
      if (modeInput) { modeInput.value = id; }
    }
    buttons.forEach(function (b) {
      b.addEventListener("click", function (ev) { ev.preventDefault(); show(b.getAttribute("data-tab")); });
    });
    show(modeInput && modeInput.value ? modeInput.value : buttons[0].getAttribute("data-tab"));
  });

  // "Add a party / person / funder": clone the last block of that kind with the next index.
  document.querySelectorAll("button[data-add-row]").forEach(function (add) {
    var kind = add.getAttribute("data-add-row");
    var pattern = new RegExp("^" + kind + "-\\d+-");
    add.addEventListener("click", function (ev) {
      ev.preventDefault();
      var rows = document.querySelectorAll("." + kind);
      var last = rows[rows.length - 1];
      var next = rows.length;
      var copy = last.cloneNode(true);
      copy.querySelectorAll("[name]").forEach(function (el) {
        el.name = el.name.replace(pattern, kind + "-" + next + "-");
        if (el.id) { el.id = el.id.replace(pattern, kind + "-" + next + "-"); }
        if (el.tagName === "SELECT" && el.multiple) { Array.from(el.options).forEach(function (o) { o.selected = false; }); }
        else if (el.type === "checkbox") { el.checked = false; }
        else if (el.tagName === "SELECT") { el.selectedIndex = 0; }
        else { el.value = ""; }
      });
      copy.querySelectorAll("label[for]").forEach(function (l) {
        l.htmlFor = l.htmlFor.replace(pattern, kind + "-" + next + "-");
      });
      copy.querySelectorAll(".field-error").forEach(function (e) { e.remove(); });
      copy.querySelectorAll(".has-error").forEach(function (e) { e.classList.remove("has-error"); });
      var h = copy.querySelector("." + kind + "-no");
      if (h) { h.textContent = String(next + 1); }
      last.after(copy);
    });
  });

  // Decision form: conditions are needed only for "approved with conditions".
  var outcome = document.getElementById("outcome");
  var cond = document.getElementById("conditions-row");
  if (outcome && cond) {
    var sync = function () { cond.hidden = outcome.value !== "approved_with_conditions"; };
    outcome.addEventListener("change", sync);
    sync();
  }

  // "Back" on error pages: the browser's back, which keeps what was typed in the form (the CSP
  // forbids javascript: links; without JavaScript the link leads to the page the user came from).
  document.querySelectorAll("a[data-back]").forEach(function (a) {
    a.addEventListener("click", function (ev) {
      if (window.history.length > 1) { ev.preventDefault(); window.history.back(); }
    });
  });

  // Confirm before irreversible actions.
  document.querySelectorAll("form[data-confirm]").forEach(function (f) {
    f.addEventListener("submit", function (ev) {
      if (!window.confirm(f.getAttribute("data-confirm"))) { ev.preventDefault(); }
    });
  });
})();
