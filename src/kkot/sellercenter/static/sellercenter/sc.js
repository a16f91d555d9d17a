/* kkot seller center: small progressive enhancements shared by every page (vanilla JS, no framework). */
(function () {
  "use strict";
  function ready(fn) { if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn); }
  ready(function () {
    // Confirm before destructive actions.
    document.querySelectorAll("form[data-confirm]").forEach(function (f) {
      f.addEventListener("submit", function (e) { if (!window.confirm(f.dataset.confirm)) e.preventDefault(); });
    });
    // "Select all" checkboxes.
    document.querySelectorAll("[data-check-all]").forEach(function (box) {
      box.addEventListener("change", function () {
        var form = box.closest("form");
        form.querySelectorAll('input[type=checkbox][name="' + box.dataset.checkAll + '"]').forEach(function (c) { c.checked = box.checked; });
      });
    });
    // Copy buttons.
    document.querySelectorAll("[data-copy]").forEach(function (b) {
      b.addEventListener("click", function () {
        var el = document.querySelector(b.dataset.copy);
        if (el && navigator.clipboard) navigator.clipboard.writeText(el.textContent.trim());
      });
    });
    // Image previews for file inputs.
    document.querySelectorAll("input[type=file][data-preview]").forEach(function (input) {
      var list = document.querySelector(input.dataset.preview);
      input.addEventListener("change", function () {
        list.innerHTML = "";
        Array.prototype.forEach.call(input.files, function (file, i) {
          var li = document.createElement("li");
          if (/^image\//.test(file.type)) {
            var img = document.createElement("img");
            img.src = URL.createObjectURL(file); img.alt = "";
            img.onload = function () { URL.revokeObjectURL(img.src); };
            li.appendChild(img);
          }
          var cap = document.createElement("div");
          cap.textContent = (i === 0 ? "★ " : "") + file.name + " (" + Math.round(file.size / 1024) + "KB)";
          li.appendChild(cap);
          list.appendChild(li);
        });
      });
    });
    // Live store-address availability hint.
    document.querySelectorAll("[data-slug-check]").forEach(function (wrap) {
      var input = wrap.querySelector("input"), hint = wrap.querySelector(".help"), timer = null;
      if (!input || !hint) return;
      function check() {
        var v = input.value.trim().toLowerCase();
        if (!v) { hint.textContent = ""; return; }
        fetch(wrap.dataset.slugCheck + "?slug=" + encodeURIComponent(v), { credentials: "same-origin" })
          .then(function (r) { return r.json(); })
          .then(function (d) { hint.textContent = d.message; hint.className = "help slug-hint " + (d.ok ? "ok" : "bad"); })
          .catch(function () {});
      }
      input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(check, 300); });
      if (input.value) check();
    });
  });
})();
