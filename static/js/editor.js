/* The Staging editor is a form per part of the configuration, and every save reloads the
   page. This keeps what was typed in the other forms across that reload (marked "unsaved"),
   and warns before leaving with anything unsaved. Without it the page works the same, minus
   those two: nothing here is needed to edit.

   The draft lives in sessionStorage for one reload only, tagged with the Staging revision the
   page showed. A save adds one revision; if Staging moved further (a colleague saved too), or
   a field's saved value is no longer the one the typing started from, the kept values are
   shown in a notice instead of being put back over someone else's work. */
(function () {
  "use strict";

  var root = document.querySelector("[data-draft-agent]");
  if (!root || !window.sessionStorage) {
    return;
  }
  var storeKey = "editor-draft:" + root.getAttribute("data-draft-agent");
  var revision = Number(root.getAttribute("data-draft-revision"));
  var submitting = false;
  var SKIPPED = ["hidden", "submit", "button", "reset", "file", "image"];

  function each(list, fn) {
    Array.prototype.forEach.call(list, fn);
  }

  function fieldsOf(scope) {
    return Array.prototype.filter.call(
      scope.querySelectorAll("input, textarea, select"),
      function (el) {
        if (!el.name || el.disabled || !el.form || el.form.method !== "post") {
          return false;
        }
        return el.tagName !== "INPUT" || SKIPPED.indexOf(el.type) === -1;
      }
    );
  }

  function checkable(el) {
    return el.type === "checkbox" || el.type === "radio";
  }

  // A radio or checkbox is one value of its name: each is kept on its own.
  function keyOf(el) {
    return checkable(el) ? el.name + "=" + el.value : el.name;
  }

  function valueOf(el) {
    return checkable(el) ? el.checked : el.value;
  }

  // What the page loaded with: the markup's own value, which typing never changes.
  function loadedOf(el) {
    if (checkable(el)) {
      return el.defaultChecked;
    }
    if (el.tagName === "SELECT") {
      var chosen = el.options.length ? el.options[0].value : "";
      each(el.options, function (option) {
        if (option.defaultSelected) {
          chosen = option.value;
        }
      });
      return chosen;
    }
    return el.defaultValue;
  }

  function setValue(el, value) {
    if (checkable(el)) {
      el.checked = Boolean(value);
    } else {
      el.value = value;
    }
  }

  function dirty(el) {
    return valueOf(el) !== loadedOf(el);
  }

  function labelOf(el) {
    var field = el.closest(".field");
    var label = field && field.querySelector("label, legend");
    var text = label && label.firstChild ? label.firstChild.textContent.trim() : el.name;
    if (el.type === "checkbox" && el.closest(".choice")) {
      text += " (" + el.closest(".choice").textContent.trim() + ")";
    }
    return text;
  }

  function shown(value) {
    if (value === true) {
      return "ticked";
    }
    if (value === false) {
      return "not ticked";
    }
    return value === "" ? "(empty)" : String(value);
  }

  // The "unsaved" mark goes in the field's label, so it is read out with the field.
  function mark(field, on) {
    var label = field.querySelector("label, legend");
    var existing = field.querySelector(".unsaved-mark");
    field.classList.toggle("field--unsaved", on);
    if (on && !existing && label) {
      var badge = document.createElement("span");
      badge.className = "unsaved-mark";
      badge.textContent = "unsaved";
      label.appendChild(document.createTextNode(" "));
      label.appendChild(badge);
    } else if (!on && existing) {
      existing.parentNode.removeChild(existing);
    }
  }

  function refresh(scope) {
    var fields = {};
    var containers = [];
    fieldsOf(scope).forEach(function (el) {
      var field = el.closest(".field");
      if (!field) {
        return;
      }
      if (containers.indexOf(field) === -1) {
        containers.push(field);
        fields[containers.length - 1] = false;
      }
      if (dirty(el)) {
        fields[containers.indexOf(field)] = true;
      }
    });
    containers.forEach(function (field, index) {
      mark(field, fields[index]);
    });
  }

  function reveal(el) {
    for (var node = el.closest("details"); node; node = node.parentElement.closest("details")) {
      node.open = true;
    }
  }

  function notice(kept, byKey) {
    var box = document.createElement("div");
    box.className = "notice notice--info draft-notice";
    box.setAttribute("role", "status");
    var intro = document.createElement("p");
    intro.textContent =
      "Staging changed since you typed these, so they were not put back over the saved " +
      "values. They are not saved:";
    box.appendChild(intro);
    var list = document.createElement("ul");
    kept.forEach(function (entry) {
      var item = document.createElement("li");
      item.textContent = entry.label + ": " + shown(entry.value);
      list.appendChild(item);
    });
    box.appendChild(list);
    var actions = document.createElement("div");
    actions.className = "form-actions";
    var restore = document.createElement("button");
    restore.type = "button";
    restore.className = "btn btn--small btn--primary";
    restore.textContent = "Put them back";
    restore.addEventListener("click", function () {
      kept.forEach(function (entry) {
        var el = byKey[entry.key];
        if (el) {
          setValue(el, entry.value);
          reveal(el);
        }
      });
      refresh(root);
      box.parentNode.removeChild(box);
    });
    var discard = document.createElement("button");
    discard.type = "button";
    discard.className = "btn btn--small btn--ghost";
    discard.textContent = "Discard them";
    discard.addEventListener("click", function () {
      box.parentNode.removeChild(box);
    });
    actions.appendChild(restore);
    actions.appendChild(discard);
    box.appendChild(actions);
    var main = root.querySelector(".editor-main") || root;
    main.insertBefore(box, main.firstChild);
  }

  function restore() {
    var raw = window.sessionStorage.getItem(storeKey);
    // One reload only: what is put back is now on the page, and saved with its own form.
    window.sessionStorage.removeItem(storeKey);
    if (!raw) {
      return;
    }
    var draft;
    try {
      draft = JSON.parse(raw);
    } catch (error) {
      return;
    }
    var byKey = {};
    fieldsOf(root).forEach(function (el) {
      byKey[keyOf(el)] = el;
    });
    // The save that reloaded the page adds one revision, a refused one none.
    var current = draft.revision === revision || draft.revision + 1 === revision;
    var kept = [];
    (draft.fields || []).forEach(function (entry) {
      var el = byKey[entry.key];
      if (current && el && loadedOf(el) === entry.base) {
        setValue(el, entry.value);
        reveal(el);
      } else {
        kept.push(entry);
      }
    });
    if (kept.length) {
      notice(kept, byKey);
    }
  }

  function keep(submitted) {
    var fields = [];
    fieldsOf(root).forEach(function (el) {
      if (el.form !== submitted && dirty(el)) {
        fields.push({
          key: keyOf(el),
          value: valueOf(el),
          base: loadedOf(el),
          label: labelOf(el),
        });
      }
    });
    if (fields.length) {
      window.sessionStorage.setItem(
        storeKey,
        JSON.stringify({ revision: revision, fields: fields })
      );
    } else {
      window.sessionStorage.removeItem(storeKey);
    }
  }

  root.addEventListener("submit", function (event) {
    submitting = true;
    keep(event.target);
  });
  root.addEventListener("input", function (event) {
    var field = event.target.closest && event.target.closest(".field");
    refresh(field ? field.closest("form") || root : root);
  });
  root.addEventListener("change", function () {
    refresh(root);
  });
  // Back from the browser's cache after a submit: the page is live again.
  window.addEventListener("pageshow", function () {
    submitting = false;
  });
  window.addEventListener("beforeunload", function (event) {
    if (submitting || !fieldsOf(root).some(dirty)) {
      return;
    }
    event.preventDefault();
    event.returnValue = "";
  });

  restore();
  refresh(root);
})();
