// 申报填写: each section saves itself on the server as the enterprise types (a draft survives
// closing the browser), shows the errors at the fields, then refreshes the live preview.
// Without JavaScript each section's 【保存本部分】 does the same. The server validates everything.
(function () {
  const root = document.getElementById("declaration-form");
  if (!root || !root.dataset.autosave) return;
  const preview = document.getElementById("declaration-preview");

  function showErrors(form, errors) {
    form.querySelectorAll("[data-error-for]").forEach(function (box) {
      const messages = errors[box.dataset.errorFor] || [];
      box.textContent = messages.join(" ");
      const input = form.querySelector("[name='" + box.dataset.errorFor + "']");
      if (input) input.classList.toggle("is-invalid", messages.length > 0);
    });
  }

  function refreshPreview() {
    if (!preview) return;
    fetch(root.dataset.preview, { credentials: "same-origin", headers: { "X-Requested-With": "XMLHttpRequest" } })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r); })
      .then(function (html) { preview.innerHTML = html; })
      .catch(function () { /* the preview stays as it was; the next save retries */ });
  }

  root.querySelectorAll("form[data-section]").forEach(function (form) {
    const state = form.querySelector("[data-save-state]");
    let timer = null;
    let inflight = false;
    let dirty = false;

    // One request per section at a time, so an older snapshot never lands after a newer one.
    function save() {
      if (inflight) { dirty = true; return; }
      inflight = true;
      if (state) state.textContent = "正在保存…";
      fetch(root.dataset.autosave, {
        method: "POST", body: new FormData(form), credentials: "same-origin",
        headers: { "X-Requested-With": "XMLHttpRequest" },
      }).then(function (r) { return r.json(); }).then(function (body) {
        showErrors(form, body.errors || {});
        if (!body.saved) {
          if (state) state.textContent = "有填写错误，未保存";
          return;
        }
        if (state) state.textContent = dirty ? "正在保存…" : "已自动保存";
        refreshPreview();
      }).catch(function () {
        if (state) state.textContent = "自动保存失败，请点击【保存本部分】";
      }).finally(function () {
        inflight = false;
        if (dirty) { dirty = false; save(); }
      });
    }

    form.addEventListener("change", function (event) {
      clearTimeout(timer);
      timer = setTimeout(save, event.target.type === "text" ? 300 : 0);
    });
  });
})();
