// 大字号 / 护眼: switch a reading aid without reloading the page, so nothing typed into a form
// is lost. Without this script each switch is a plain form that posts and comes back.
(function () {
  "use strict";

  var CLASSES = { "large-text": "reading-large", "eye-care": "reading-eyecare" };

  document.querySelectorAll("form[data-reading-aid]").forEach(function (form) {
    var button = form.querySelector("button[aria-pressed]");
    var wanted = form.querySelector("input[name=on]");
    var css = CLASSES[form.dataset.readingAid];
    if (!button || !wanted || !css || !window.fetch) { return; }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      button.disabled = true;
      // The view answers with a redirect back to this page; there is no need to follow it.
      window.fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        redirect: "manual"
      }).then(function (response) {
        if (response.type !== "opaqueredirect" && !response.ok) { throw new Error("refused"); }
        var on = wanted.value === "1";
        document.documentElement.classList.toggle(css, on);
        button.setAttribute("aria-pressed", on ? "true" : "false");
        wanted.value = on ? "0" : "1";
        button.disabled = false;
        // Charts and other measured layouts follow the new text size.
        window.dispatchEvent(new Event("resize"));
      }).catch(function () {
        // An expired page or a lost connection: post the form the ordinary way, which shows why.
        button.disabled = false;
        form.submit();
      });
    });
  });
})();
