// Click a captcha image to get a new one (served by django-simple-captcha's refresh view).
document.addEventListener("click", function (event) {
  const img = event.target.closest("img.captcha");
  if (!img) return;
  const form = img.closest("form");
  fetch("/captcha/refresh/", { headers: { "X-Requested-With": "XMLHttpRequest" } })
    .then(function (r) { return r.json(); })
    .then(function (data) {
      img.src = data.image_url;
      const key = form && form.querySelector("input[name$='captcha_0']");
      if (key) key.value = data.key;
    });
});
// Ask before an irreversible action: data-confirm="..." on the form or on the button pressed.
document.addEventListener("submit", function (event) {
  const submitter = event.submitter;
  const message = (submitter && submitter.getAttribute("data-confirm")) ||
    event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) { event.preventDefault(); return; }
  // Nothing is sent twice on a double click.
  const buttons = event.target.querySelectorAll("button[type=submit]");
  setTimeout(function () { buttons.forEach(function (b) { b.disabled = true; }); }, 0);
});
