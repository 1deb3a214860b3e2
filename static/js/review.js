/* Scoring pages: htmx settings and keyboard scoring on the evaluator's review page.
 *
 * Keys on the review page (outside text fields):
 *   1–5        set the level of the highlighted indicator
 *   Enter      save it (htmx, no reload) and move to the next indicator not reviewed in
 *              this stage (the next one when all are)
 *   J          save it and move to the next indicator
 *   K          move to the previous indicator
 *   N          move to the next indicator not reviewed in this stage (data-reviewed="0")
 *   A          take the OPD's level for the highlighted indicator and save it
 *   C          show or hide its criteria and details
 *   X          select it for "take the OPD's level" of a selection
 *   O          open the next OPD (the page's "Next OPD" link)
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

  // The next indicator after `index` (wrapping around) that this stage has not
  // reviewed; the indicator being saved counts as reviewed.
  function nextUnreviewed(index, saving) {
    var list = cards();
    for (var step = 1; step <= list.length; step++) {
      var i = (index + step) % list.length;
      if (i !== saving && list[i].getAttribute("data-reviewed") === "0") {
        return i;
      }
    }
    return -1;
  }

  function submit(form) {
    if (!form || !form.hasAttribute("hx-post")) {
      return;
    }
    if (form.requestSubmit) {
      form.requestSubmit();
    } else {
      window.htmx.trigger(form, "submit");
    }
  }

  var nextButton = document.querySelector("[data-next-unreviewed]");
  if (nextButton) {
    nextButton.addEventListener("click", function () {
      var i = nextUnreviewed(current - 1, -1);
      if (i >= 0) {
        focusCard(i);
      }
    });
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
    } else if (key === "Enter") {
      event.preventDefault();
      submit(card.querySelector("form.review-form"));
      var following = nextUnreviewed(index, index);
      focusCard(following >= 0 ? following : index + 1);
    } else if (key === "j" || key === "J") {
      event.preventDefault();
      submit(card.querySelector("form.review-form"));
      focusCard(index + 1);
    } else if (key === "k" || key === "K") {
      event.preventDefault();
      focusCard(index - 1);
    } else if (key === "n" || key === "N") {
      event.preventDefault();
      var next = nextUnreviewed(index, -1);
      if (next >= 0) {
        focusCard(next);
      }
    } else if (key === "a" || key === "A") {
      var adopt = card.querySelector("[data-adopt]");
      if (adopt) {
        event.preventDefault();
        adopt.click(); // a click, so htmx sends the button's name and value
        var after = nextUnreviewed(index, index);
        focusCard(after >= 0 ? after : index);
      }
    } else if (key === "c" || key === "C") {
      var details = card.querySelector("[data-details]");
      if (details) {
        event.preventDefault();
        details.open = !details.open;
      }
    } else if (key === "x" || key === "X") {
      var pick = card.querySelector('input[data-testid="pick"]');
      if (pick) {
        event.preventDefault();
        pick.checked = !pick.checked;
      }
    } else if (key === "o" || key === "O") {
      var link = document.querySelector("[data-next-opd]");
      if (link) {
        event.preventDefault();
        window.location.href = link.href;
      }
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
  // Start on the indicator named in the address (#score-N), else the first one this
  // stage has not reviewed, else the first one.
  var first = nextUnreviewed(-1, -1);
  focusCard(named && root.contains(named) ? cards().indexOf(named) : Math.max(first, 0));
})();
