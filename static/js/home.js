// Home page: 【申报】 opens a dialog with the regions open for that tier
// (fetched from /declare/<tier>/regions/). Without JavaScript the link opens that page.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-declare-tier]");
    if (!link || !window.bootstrap) return;
    event.preventDefault();
    var modalElement = document.getElementById("declare-modal");
    var body = document.getElementById("declare-modal-body");
    document.getElementById("declare-modal-title").textContent =
      link.getAttribute("data-tier-label") + " · 可申报地区";
    body.innerHTML = '<div class="text-muted">正在加载…</div>';
    window.bootstrap.Modal.getOrCreateInstance(modalElement).show();
    fetch(link.href, { headers: { "X-Requested-With": "XMLHttpRequest" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.text();
      })
      .then(function (html) { body.innerHTML = html; })
      .catch(function () {
        body.innerHTML = '<div class="alert alert-danger mb-0">加载失败，请稍后重试，或<a href="' +
          link.href + '">在新页面查看</a>。</div>';
      });
  });
})();
