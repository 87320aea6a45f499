// Small progressive enhancements; every page works without them.
(function () {
  "use strict";

  // Confirm before deleting a draft.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
    });
  });

  // "Select all" for batch actions.
  document.querySelectorAll("[data-check-all]").forEach(function (button) {
    button.addEventListener("click", function () {
      var boxes = document.querySelectorAll("input[type=checkbox][name='" + button.dataset.checkAll + "']");
      var allChecked = Array.prototype.every.call(boxes, function (b) { return b.checked; });
      boxes.forEach(function (b) { b.checked = !allChecked; });
    });
  });

  var form = document.getElementById("activity-form");
  if (!form) { return; }
  var kinds = JSON.parse(form.dataset.kinds || "{}");

  // Show only the parts the chosen kind needs, and preselect its initiative.
  function currentKind() {
    var checked = form.querySelector("input[name=kind]:checked");
    return checked ? checked.value : null;
  }
  function showSections(kind) {
    var sections = (kinds[kind] && kinds[kind].sections) || [];
    form.querySelectorAll("[data-section]").forEach(function (section) {
      section.hidden = sections.indexOf(section.dataset.section) === -1;
    });
  }
  function preselectInitiative(kind) {
    var code = kinds[kind] && kinds[kind].initiative;
    if (!code) { return; }
    var radio = form.querySelector("input[name=initiative][value='" + code + "']");
    if (radio) { radio.checked = true; }
  }
  form.querySelectorAll("input[name=kind]").forEach(function (radio) {
    radio.addEventListener("change", function () {
      showSections(radio.value);
      preselectInitiative(radio.value);
    });
  });
  showSections(currentKind());

  // After a refused submit, take the user to the first field that needs fixing.
  var firstInvalid = form.querySelector(".is-invalid, .invalid-feedback");
  if (firstInvalid) {
    var target = firstInvalid.classList.contains("invalid-feedback")
      ? firstInvalid.closest(".mb-3, fieldset") : firstInvalid;
    if (target) { target.scrollIntoView({block: "center"}); }
    if (firstInvalid.focus) { firstInvalid.focus({preventScroll: true}); }
  }

  // Concern rows: add from the template, remove, renumber.
  var rows = document.getElementById("concern-rows");
  var template = document.getElementById("concern-template");
  var addButton = document.getElementById("add-concern");
  var nextIndex = rows ? rows.querySelectorAll("[data-concern-row]").length : 0;

  function renumber() {
    rows.querySelectorAll("[data-concern-row]").forEach(function (row, i) {
      var label = row.querySelector("[data-concern-number]");
      if (label) { label.textContent = String(i + 1); }
    });
  }
  function addRow() {
    var html = template.innerHTML.split("__index__").join(String(nextIndex));
    nextIndex += 1;
    var holder = document.createElement("div");
    holder.innerHTML = html.trim();
    var row = holder.firstElementChild;
    rows.appendChild(row);
    renumber();
    return row;
  }
  if (addButton && template && rows) {
    addButton.addEventListener("click", function () {
      var first = addRow().querySelector("select, textarea");
      if (first) { first.focus(); }
    });
    rows.addEventListener("click", function (event) {
      var button = event.target.closest("[data-remove-concern]");
      if (!button) { return; }
      button.closest("[data-concern-row]").remove();
      renumber();
    });
  }

  // What draft.js needs to put a kept draft back: rows made and numbered the same way, and the
  // parts of the restored kind shown.
  window.trackerActivityForm = {
    addConcernRow: (template && rows) ? addRow : null,
    renumberConcerns: rows ? renumber : function () {},
    showKindSections: function () { showSections(currentKind()); }
  };
})();
