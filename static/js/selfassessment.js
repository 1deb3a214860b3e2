/* The OPD's self-assessment page: one save for the page and a warning before leaving.
 *
 * An indicator whose level or explanation was changed and not yet saved is "dirty"
 * (data-dirty on its card). The bar at the top says how many are; "Save all changes"
 * sends each dirty indicator's own form through htmx (the same POST as its own Save
 * button, one per indicator). Leaving the page while any is dirty asks first
 * (beforeunload). A save that is refused (409, 422) comes back with its message and
 * what was typed, and stays dirty.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var state = document.querySelector("[data-save-state]");
  var button = document.querySelector("[data-save-all]");
  if (!state || !button) {
    return;
  }
  var text = {
    one: script.getAttribute("data-unsaved-one"),
    many: script.getAttribute("data-unsaved-many"),
    saving: script.getAttribute("data-saving"),
    clean: script.getAttribute("data-clean"),
    failed: script.getAttribute("data-failed"),
  };
  var pending = 0;
  var failed = false;

  function dirtyCards() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-indicator][data-dirty]"));
  }

  function show() {
    var n = dirtyCards().length;
    var label;
    var name;
    if (pending > 0) {
      label = text.saving;
      name = "saving";
    } else if (n === 0) {
      label = text.clean;
      name = "clean";
    } else {
      label = failed ? text.failed : n === 1 ? text.one : text.many.replace("{n}", n);
      name = failed ? "failed" : "dirty";
    }
    state.textContent = label;
    state.setAttribute("data-state", name);
    state.setAttribute("data-dirty", String(n));
    button.disabled = n === 0 || pending > 0;
  }

  function markDirty(event) {
    var form = event.target.closest ? event.target.closest("form.self-form") : null;
    var card = form ? form.closest("[data-indicator]") : null;
    if (card) {
      card.setAttribute("data-dirty", "1");
      failed = false;
      show();
    }
  }
  document.addEventListener("input", markDirty);
  document.addEventListener("change", markDirty);

  // The form is swapped out with its indicator before its request ends, and events of a
  // detached element no longer bubble: listen for the end on the form itself.
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.target;
    if (!(form.matches && form.matches("form.self-form"))) {
      return;
    }
    pending += 1;
    show();
    form.addEventListener(
      "htmx:afterRequest",
      function (done) {
        pending = Math.max(0, pending - 1);
        if (!done.detail.xhr || done.detail.xhr.status !== 200) {
          failed = true;
        }
        show();
      },
      { once: true }
    );
  });

  // A swapped-in indicator is a fresh copy from the server: refused saves come back
  // with what was typed (status 409/422) and stay dirty; saved ones are clean.
  document.body.addEventListener("htmx:afterSwap", function (event) {
    var xhr = event.detail.xhr;
    var card = event.detail.elt && event.detail.elt.id ? document.getElementById(event.detail.elt.id) : null;
    if (card && card.hasAttribute("data-indicator") && xhr && xhr.status !== 200) {
      card.setAttribute("data-dirty", "1");
    }
    show();
  });

  // Adding or removing evidence answers the whole indicator again: what was typed in its
  // level and explanation and not yet saved is put back into the new copy.
  var carried = {};
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.target;
    if (!form.matches || form.matches("form.self-form")) {
      return;
    }
    var card = form.closest("[data-indicator][data-dirty]");
    var own = card ? card.querySelector("form.self-form") : null;
    if (own) {
      carried[card.id] = Array.prototype.map.call(own.elements, function (field) {
        return { name: field.name, value: field.value, checked: field.checked, type: field.type };
      });
    }
  });
  document.body.addEventListener("htmx:afterSettle", function () {
    Object.keys(carried).forEach(function (id) {
      var card = document.getElementById(id);
      var own = card ? card.querySelector("form.self-form") : null;
      if (!own || card.hasAttribute("data-dirty")) {
        return; // not swapped yet, or already carried
      }
      carried[id].forEach(function (saved) {
        if (!saved.name || saved.name === "csrfmiddlewaretoken" || saved.name === "version") {
          return;
        }
        Array.prototype.forEach.call(own.elements, function (field) {
          if (field.name !== saved.name) {
            return;
          }
          if (field.type === "radio" || field.type === "checkbox") {
            if (field.value === saved.value) {
              field.checked = saved.checked;
            }
          } else {
            field.value = saved.value;
          }
        });
      });
      card.setAttribute("data-dirty", "1");
      delete carried[id];
      show();
    });
  });

  button.addEventListener("click", function () {
    failed = false;
    dirtyCards().forEach(function (card) {
      var form = card.querySelector("form.self-form");
      if (form) {
        window.htmx.trigger(form, "submit");
      }
    });
  });

  window.addEventListener("beforeunload", function (event) {
    if (dirtyCards().length > 0) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  show();
})();
