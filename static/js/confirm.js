// A form with data-confirm asks in a native <dialog> before it is sent, and is then sent
// with confirmed=1. Without this script the server asks on a page of its own instead, so
// the question is never skipped and never asked twice.
(function () {
  "use strict";

  var dialog = null;

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes).forEach(function (name) {
      node.setAttribute(name, attributes[name]);
    });
    if (text) node.textContent = text;
    return node;
  }

  function build() {
    dialog = element("dialog", { id: "confirm-dialog", class: "dialog", "aria-labelledby": "confirm-dialog-title", "aria-describedby": "confirm-dialog-detail" });
    var form = element("form", { method: "dialog" });
    form.append(
      element("h2", { id: "confirm-dialog-title", class: "dialog__title" }),
      element("p", { id: "confirm-dialog-detail", class: "dialog__detail" }),
    );
    var actions = element("div", { class: "form-actions dialog__actions" });
    // Cancel comes first and has the focus: Enter on a misclick does nothing.
    actions.append(
      element("button", { value: "cancel", class: "btn btn--ghost", autofocus: "" }, "Cancel"),
      element("button", { value: "confirm", class: "btn", id: "confirm-dialog-ok" }),
    );
    form.append(actions);
    dialog.append(form);
    document.body.append(dialog);
  }

  function ask(form, submitter) {
    if (!dialog) build();
    dialog.querySelector("#confirm-dialog-title").textContent = form.dataset.confirm;
    dialog.querySelector("#confirm-dialog-detail").textContent = form.dataset.confirmDetail || "";
    var ok = dialog.querySelector("#confirm-dialog-ok");
    ok.textContent = form.dataset.confirmLabel || (submitter && submitter.textContent.trim()) || "Confirm";
    ok.className = "btn " + (form.dataset.confirmTone === "primary" ? "btn--primary" : "btn--danger");
    dialog.returnValue = "";
    dialog.onclose = function () {
      if (dialog.returnValue !== "confirm") return;
      var confirmed = form.querySelector('input[name="confirmed"]');
      if (!confirmed) {
        confirmed = element("input", { type: "hidden", name: "confirmed", "data-added": "" });
        form.append(confirmed);
      }
      confirmed.value = "1";
      form.dataset.confirmed = "1";
      if (submitter) form.requestSubmit(submitter);
      else form.requestSubmit();
    };
    dialog.showModal();
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.confirm) return;
    if (form.dataset.confirmed) return;
    if (typeof HTMLDialogElement === "undefined") return; // the server asks instead
    event.preventDefault();
    ask(form, event.submitter);
  });

  // Back to a page from the browser's cache: the form asks again next time.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-confirmed]").forEach(function (form) {
      delete form.dataset.confirmed;
      var confirmed = form.querySelector('input[name="confirmed"][data-added]');
      if (confirmed) confirmed.remove();
    });
  });
})();
