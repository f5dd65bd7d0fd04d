// 数字化水平评测: save each change on the server as the enterprise goes (resume later),
// and keep "无" exclusive in multiple-choice questions. The server validates everything again.
(function () {
  const form = document.getElementById("assessment-form");
  if (!form || !form.dataset.autosave) return;
  const state = document.querySelector("[data-save-state]");
  const bar = document.querySelector("[data-testid=progress]");
  const label = document.querySelector("[data-progress-label]");
  let timer = null;
  let inflight = false;
  let dirty = false;

  // One request at a time, so an older snapshot never lands after a newer one.
  function save() {
    if (inflight) { dirty = true; return; }
    inflight = true;
    const data = new FormData(form);
    data.delete("action");
    if (state) state.textContent = "正在保存…";
    fetch(form.dataset.autosave, {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "X-Requested-With": "XMLHttpRequest" },
    }).then(function (r) { return r.json(); }).then(function (body) {
      if (!body.saved) { if (state) state.textContent = (body.errors || ["保存失败"]).join("；"); return; }
      if (state) state.textContent = dirty ? "正在保存…" : "已自动保存";
      if (bar) bar.value = body.progress;
      if (label) label.textContent = body.progress;
      document.querySelectorAll("[data-issue-for]").forEach(function (box) {
        const message = body.issues[box.dataset.issueFor];
        box.textContent = message || "";
      });
      Object.keys(body.chosen || {}).forEach(function (qid) {
        body.chosen[qid].forEach(function (oid) {
          const input = document.getElementById("o-" + oid);
          if (input && !input.checked) input.checked = true;
        });
      });
    }).catch(function () {
      if (state) state.textContent = "自动保存失败，请点击【保存】";
    }).finally(function () {
      inflight = false;
      if (dirty) { dirty = false; save(); }
    });
  }

  form.addEventListener("change", function (event) {
    const input = event.target;
    if (input.type === "checkbox" && input.checked) {
      const group = form.querySelectorAll("input[name='" + input.name + "']");
      group.forEach(function (other) {
        if (other === input) return;
        if (input.hasAttribute("data-exclusive") || other.hasAttribute("data-exclusive")) other.checked = false;
      });
    }
    clearTimeout(timer);
    timer = setTimeout(save, input.type === "text" ? 400 : 0);
  });
})();
