/* kkot reviews section: loads after the product page, then filters, sorts, pages and switches to 상품문의 in
   place. Every link and form also works without JavaScript (they open the full reviews/Q&A pages). */
(function () {
  "use strict";
  var box = document.getElementById("kk-reviews");
  if (!box || !window.fetch) return;
  var H = { "X-Requested-With": "fetch" };
  function load(url) {
    box.setAttribute("aria-busy", "true");
    return fetch(url, { credentials: "same-origin", headers: H })
      .then(function (r) { return r.ok || r.status === 400 ? r.text() : ""; })
      .then(function (html) { if (html) box.innerHTML = html; })
      .catch(function () { window.location.href = url; })
      .then(function () { box.removeAttribute("aria-busy"); });
  }
  if (box.getAttribute("data-src")) load(box.getAttribute("data-src"));
  box.addEventListener("click", function (e) {
    var a = e.target.closest ? e.target.closest("a[data-kk-frag]") : null;
    if (!a || e.ctrlKey || e.metaKey) return;
    e.preventDefault();
    load(a.getAttribute("href"));
  });
  box.addEventListener("submit", function (e) {
    var form = e.target;
    if (form.hasAttribute("data-kk-frag-form")) {
      e.preventDefault();
      var params = new URLSearchParams(new FormData(form)).toString();
      load(form.getAttribute("action") + (params ? "?" + params : ""));
    } else if (form.hasAttribute("data-kk-helpful")) {
      e.preventDefault();
      fetch(form.getAttribute("action"), { method: "POST", body: new FormData(form), credentials: "same-origin",
                                           headers: { "Accept": "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (d) {
          if (d.ok) {
            form.querySelector(".n").textContent = String(d.count);
            form.querySelector("button").setAttribute("aria-pressed", d.on ? "true" : "false");
          } else if (d.message) { window.alert(d.message); }
        })
        .catch(function () { form.submit(); });
    }
  });
})();
