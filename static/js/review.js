/* Scoring pages: htmx settings and keyboard scoring on the evaluator's review page.
 *
 * Keys on the review page (outside text fields):
 *   1–5        set the level of the highlighted indicator
 *   Enter / J  save it (htmx, no reload) and move to the next indicator
 *   K          move to the previous indicator
 */
(function () {
  "use strict";

  if (window.htmx) {
    // Refusals (422) and version conflicts (409) answer the re-rendered indicator with
    // the message: swap them in like successes instead of dropping them.
    window.htmx.config.responseHandling = [
      { code: "204", swap: false },
      { code: "[23]..", swap: true },
      { code: "409", swap: true, error: false },
      { code: "422", swap: true, error: false },
      { code: "[45]..", swap: false, error: true },
      { code: "...", swap: false },
    ];
  }

  var root = document.querySelector("[data-keyboard-scoring]");
  if (!root) {
    return;
  }
  var current = 0;

  function cards() {
    return Array.prototype.slice.call(root.querySelectorAll("[data-indicator]"));
  }

  function focusCard(index) {
    var list = cards();
    if (!list.length) {
      return;
    }
    current = Math.max(0, Math.min(index, list.length - 1));
    list[current].focus({ preventScroll: true });
    list[current].scrollIntoView({ block: "center" });
  }

  function isTyping(target) {
    return target.matches("textarea, select, input[type=text], input[type=url], input[type=file]");
  }

  root.addEventListener("focusin", function (event) {
    var card = event.target.closest("[data-indicator]");
    if (card) {
      current = cards().indexOf(card);
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) {
      return;
    }
    var card = event.target.closest ? event.target.closest("[data-indicator]") : null;
    if (!card || !root.contains(card)) {
      return;
    }
    var index = cards().indexOf(card);
    var key = event.key;
    if (/^[1-5]$/.test(key)) {
      var radio = card.querySelector('input[name="level"][value="' + key + '"]');
      if (radio && !radio.disabled) {
        radio.checked = true;
        event.preventDefault();
      }
    } else if (key === "Enter" || key === "j" || key === "J") {
      event.preventDefault();
      var form = card.querySelector("form.review-form");
      if (form && form.hasAttribute("hx-post")) {
        if (form.requestSubmit) {
          form.requestSubmit();
        } else {
          window.htmx.trigger(form, "submit");
        }
      }
      focusCard(index + 1);
    } else if (key === "k" || key === "K") {
      event.preventDefault();
      focusCard(index - 1);
    }
  });

  // A saved indicator is swapped out: if the focus was in it, keep it on that indicator.
  document.body.addEventListener("htmx:afterSettle", function () {
    if (!document.activeElement || document.activeElement === document.body) {
      focusCard(current);
    }
  });

  // Start on the indicator named in the address (#score-N), else the first one.
  var named = window.location.hash ? document.getElementById(window.location.hash.slice(1)) : null;
  focusCard(named && root.contains(named) ? cards().indexOf(named) : 0);
})();
