// Keeps what is typed on the activity form in this browser (localStorage) until the server has
// it, so a lost signal, a reload or a login that timed out loses nothing.
//
// - The form names its draft's key (data-draft-key: the account and the form, so two accounts
//   on one device never see each other's drafts). Typing saves the draft, a moment later.
// - Opening the form with a draft that differs from what the server rendered puts the draft
//   back and shows #draft-notice, whose button discards it.
// - A form the server sent back with errors (data-draft-from-server) shows what was posted:
//   the server's values win and become the draft.
// - Nothing is removed when the form is sent (the request may fail). The page a successful
//   save lands on lists the keys the server now holds (data-draft-saved); the login page after
//   a logout names the account whose drafts go (data-draft-forget, a key prefix).
//
// Without localStorage (private mode, storage refused) nothing happens; the form works as ever.
(function () {
  "use strict";

  var VERSION = 1;
  var SAVE_DELAY_MS = 400;

  function openStorage() {
    try {
      var storage = window.localStorage;
      var probe = "tracker-draft-probe";
      storage.setItem(probe, "1");
      storage.removeItem(probe);
      return storage;
    } catch (error) {
      return null;
    }
  }

  var store = openStorage();
  if (!store) { return; }

  function readDraft(key) {
    try {
      var draft = JSON.parse(store.getItem(key) || "null");
      return draft && draft.v === VERSION && draft.state ? draft : null;
    } catch (error) {
      return null;
    }
  }
  function writeDraft(key, state) {
    try {
      store.setItem(key, JSON.stringify({v: VERSION, savedAt: Date.now(), state: state}));
    } catch (error) {
      // storage full or refused: the form still works, it is only not kept
    }
  }
  function removeDraft(key) {
    try { store.removeItem(key); } catch (error) { /* nothing to do */ }
  }
  function removeDraftsStartingWith(prefix) {
    var keys = [];
    for (var i = 0; i < store.length; i += 1) {
      var key = store.key(i);
      if (key && key.indexOf(prefix) === 0) { keys.push(key); }
    }
    keys.forEach(removeDraft);
  }

  // --- what the server says may go -----------------------------------------------------------
  document.querySelectorAll("[data-draft-saved]").forEach(function (marker) {
    marker.dataset.draftSaved.split(/\s+/).forEach(function (key) {
      if (key) { removeDraft(key); }
    });
  });
  document.querySelectorAll("[data-draft-forget]").forEach(function (marker) {
    var prefix = marker.dataset.draftForget;
    // a prefix always ends with ":", so one account's never matches another's
    if (prefix && prefix.charAt(prefix.length - 1) === ":") { removeDraftsStartingWith(prefix); }
  });

  // --- the form --------------------------------------------------------------------------------
  var form = document.querySelector("form[data-draft-key]");
  if (!form || !form.dataset.draftKey) { return; }
  var key = form.dataset.draftKey;
  var api = window.trackerActivityForm || {};
  var rowsBox = document.getElementById("concern-rows");
  var notice = document.getElementById("draft-notice");
  // Never kept: the CSRF token, the version and row ids (hidden), buttons, files.
  var SKIPPED = {hidden: 1, submit: 1, button: 1, reset: 1, image: 1, file: 1, password: 1};
  var CONCERN_FIELD = /^concerns-\d+-(.+)$/;

  function toArray(list) { return Array.prototype.slice.call(list); }
  function inRow(el) { return !!el.closest("[data-concern-row]"); }
  function concernRows() {
    return rowsBox ? toArray(rowsBox.querySelectorAll("[data-concern-row]")) : [];
  }
  function concernIdOf(row) {
    var input = row.querySelector("input[type=hidden][name$='-concern_id']");
    return input ? input.value : "";
  }

  // The value of one control, as typed now or as the server rendered it (rendered = true).
  function readInto(values, name, el, rendered) {
    if (el.type === "radio") {
      if (!(name in values)) { values[name] = ""; }
      if (rendered ? el.defaultChecked : el.checked) { values[name] = el.value; }
    } else if (el.type === "checkbox") {
      if (!(name in values)) { values[name] = []; }
      if (rendered ? el.defaultChecked : el.checked) { values[name].push(el.value); }
    } else if (el.type === "select-multiple") {
      values[name] = toArray(el.options)
        .filter(function (o) { return rendered ? o.defaultSelected : o.selected; })
        .map(function (o) { return o.value; });
    } else if (el.type === "select-one") {
      var options = toArray(el.options);
      var chosen = rendered
        ? options.filter(function (o) { return o.defaultSelected; })[0] || options[0]
        : options[el.selectedIndex];
      values[name] = chosen ? chosen.value : "";
    } else {
      values[name] = rendered ? el.defaultValue : el.value;
    }
  }

  function snapshot(rendered) {
    var fields = {};
    toArray(form.elements).forEach(function (el) {
      if (!el.name || SKIPPED[el.type] || inRow(el)) { return; }
      readInto(fields, el.name, el, rendered);
    });
    var concerns = concernRows().map(function (row) {
      // the row's id is kept only to find the same concern's row again
      var values = {concern_id: concernIdOf(row)};
      row.querySelectorAll("input, select, textarea").forEach(function (el) {
        var match = CONCERN_FIELD.exec(el.name || "");
        if (match && !SKIPPED[el.type]) { readInto(values, match[1], el, rendered); }
      });
      return values;
    });
    return {fields: fields, concerns: concerns};
  }

  // Drafts compare on what was typed: an untouched extra concern row is no difference.
  function isBlankRow(values) {
    return !values.concern_id && !values.category && !values.content &&
      !values.raised_by_name && !values.raised_by_phone;
  }
  function comparable(state) {
    return JSON.stringify({
      fields: state.fields,
      concerns: (state.concerns || []).filter(function (row) { return !isBlankRow(row); })
    });
  }

  // Put a value into a control; a choice that no longer exists leaves the control as it is.
  function writeControl(el, value, scope) {
    if (value === undefined) { return; }
    if (el.type === "radio") {
      var group = toArray(scope.querySelectorAll("input[type=radio]"))
        .filter(function (r) { return r.name === el.name; });
      var known = value === "" || group.some(function (r) { return r.value === value; });
      if (known) { el.checked = el.value === value; }
    } else if (el.type === "checkbox") {
      el.checked = Array.isArray(value) && value.indexOf(el.value) !== -1;
    } else if (el.type === "select-multiple") {
      toArray(el.options).forEach(function (o) {
        o.selected = Array.isArray(value) && value.indexOf(o.value) !== -1;
      });
    } else if (el.type === "select-one") {
      if (toArray(el.options).some(function (o) { return o.value === value; })) { el.value = value; }
    } else {
      el.value = value == null ? "" : String(value);
    }
  }

  function fillRow(row, values) {
    row.querySelectorAll("input, select, textarea").forEach(function (el) {
      var match = CONCERN_FIELD.exec(el.name || "");
      if (match && !SKIPPED[el.type]) { writeControl(el, values[match[1]], row); }
    });
  }

  // The rows the server rendered, kept so that discarding a draft can put them back.
  var renderedRows = concernRows();

  function placeRows(wanted) {
    if (!rowsBox) { return; }
    var byId = {};
    var plain = [];
    renderedRows.forEach(function (row) {
      var id = concernIdOf(row);
      if (id) { byId[id] = row; } else { plain.push(row); }
    });
    var placed = [];
    wanted.forEach(function (values) {
      var row = null;
      if (values.concern_id) {
        // a concern already being handled is no longer on the form: nothing to put back
        row = byId[values.concern_id] || null;
        delete byId[values.concern_id];
      } else {
        row = plain.shift() || (api.addConcernRow ? api.addConcernRow() : null);
      }
      if (!row) { return; }
      rowsBox.appendChild(row);
      placed.push(row);
      fillRow(row, values);
    });
    concernRows().forEach(function (row) {
      if (placed.indexOf(row) === -1) { row.remove(); }
    });
    if (api.renumberConcerns) { api.renumberConcerns(); }
  }

  function apply(state) {
    placeRows(state.concerns || []);
    var fields = state.fields || {};
    toArray(form.elements).forEach(function (el) {
      if (!el.name || SKIPPED[el.type] || inRow(el)) { return; }
      if (Object.prototype.hasOwnProperty.call(fields, el.name)) {
        writeControl(el, fields[el.name], form);
      }
    });
    if (api.showKindSections) { api.showKindSections(); }
    // open "more" when something in it is filled in, so nothing restored is out of sight
    form.querySelectorAll("details").forEach(function (details) {
      var filled = toArray(details.querySelectorAll("input, select, textarea")).some(function (el) {
        if (el.type === "checkbox" || el.type === "radio") { return el.checked; }
        if (el.type === "select-multiple") { return el.selectedOptions.length > 0; }
        return !!el.value;
      });
      if (filled) { details.open = true; }
    });
  }

  function savedAtText(when) {
    var now = new Date();
    var options = {hour: "2-digit", minute: "2-digit", hourCycle: "h23"};
    if (when.toDateString() !== now.toDateString()) {
      options.month = "long";
      options.day = "numeric";
    }
    try {
      return new Intl.DateTimeFormat(document.documentElement.lang || undefined, options).format(when);
    } catch (error) {
      var pad = function (n) { return (n < 10 ? "0" : "") + n; };
      return pad(when.getHours()) + ":" + pad(when.getMinutes());
    }
  }

  function showNotice(savedAt) {
    if (!notice) { return; }
    var time = notice.querySelector("[data-draft-time]");
    if (time && savedAt) {
      var when = new Date(savedAt);
      time.textContent = savedAtText(when);
      time.setAttribute("datetime", when.toISOString());
    }
    notice.hidden = false;
  }

  var fromServer = form.hasAttribute("data-draft-from-server");
  // What the server rendered for this form (its defaults, or the saved entry).
  var rendered = fromServer ? null : snapshot(true);

  var timer = null;
  function save() {
    if (timer) { clearTimeout(timer); }
    timer = null;
    var state = snapshot(false);
    if (rendered && comparable(state) === comparable(rendered)) {
      removeDraft(key);  // back to what the server has: nothing to keep
    } else {
      writeDraft(key, state);
    }
  }
  function saveSoon() {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(save, SAVE_DELAY_MS);
  }
  function saveIfPending() {
    if (timer) { save(); }
  }

  if (fromServer) {
    save();  // what was posted came back: it is the draft now
  } else {
    var kept = readDraft(key);
    if (kept && comparable(kept.state) !== comparable(rendered)) {
      apply(kept.state);
      showNotice(kept.savedAt);
    } else if (kept) {
      removeDraft(key);
    }
  }

  form.addEventListener("input", saveSoon);
  form.addEventListener("change", saveSoon);
  form.addEventListener("click", function (event) {
    if (event.target.closest("[data-remove-concern], #add-concern")) { saveSoon(); }
  });
  // Kept, never removed, as the form leaves: the request may not get through.
  form.addEventListener("submit", saveIfPending);
  window.addEventListener("pagehide", saveIfPending);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { saveIfPending(); }
  });

  if (notice) {
    var discard = notice.querySelector("[data-draft-discard]");
    if (discard) {
      discard.addEventListener("click", function () {
        var question = discard.dataset.draftConfirm;
        if (question && !window.confirm(question)) { return; }
        if (timer) { clearTimeout(timer); }
        timer = null;
        removeDraft(key);
        if (rendered) { apply(rendered); }
        notice.hidden = true;
      });
    }
  }
})();
