/* kkot product page: option picker that knows stock per variant and price deltas. No dependencies. */
(function () {
  "use strict";
  var dataEl = document.getElementById("kk-picker");
  var select = document.getElementById("variant-select");
  var status = document.getElementById("picker-status");
  var cartBtn = document.getElementById("cart-btn");
  var toast = document.getElementById("cart-toast");
  if (!dataEl) return;
  var data = JSON.parse(dataEl.textContent);
  var won = function (n) { return n.toLocaleString("ko-KR") + "원"; };
  var chosen = {};

  function variantFor(values) {
    for (var i = 0; i < data.variants.length; i++) {
      var v = data.variants[i], ok = true;
      for (var k in values) { if (v.values[k] !== values[k]) { ok = false; break; } }
      if (ok && Object.keys(v.values).length === Object.keys(values).length) return v;
    }
    return null;
  }
  function inStockWith(values) {
    return data.variants.some(function (v) {
      if (v.stock <= 0) return false;
      for (var k in values) { if (v.values[k] !== values[k]) return false; }
      return true;
    });
  }
  function describe(v) {
    if (!v) return "";
    var price = data.price + v.delta;
    var left = v.stock <= 5 ? " · 남은 수량 " + v.stock + "개" : "";
    return v.label + " · " + won(price) + (v.delta ? " (+" + won(v.delta) + ")" : "") + left;
  }

  var axes = document.getElementById("axis-pickers");
  if (select && axes && data.options.length) {
    data.options.forEach(function (opt, idx) {
      var fs = document.createElement("fieldset");
      var lg = document.createElement("legend");
      lg.textContent = opt.name;
      fs.appendChild(lg);
      var box = document.createElement("div");
      box.className = "vals";
      opt.values.forEach(function (val) {
        var b = document.createElement("button");
        b.type = "button";
        b.textContent = val;
        b.dataset.axis = opt.name;
        b.dataset.value = val;
        b.setAttribute("aria-pressed", "false");
        b.addEventListener("click", function () {
          if (chosen[opt.name] === val) { delete chosen[opt.name]; } else { chosen[opt.name] = val; }
          refresh();
        });
        box.appendChild(b);
      });
      fs.appendChild(box);
      axes.appendChild(fs);
    });
    axes.hidden = false;
    select.hidden = true;
    var lbl = document.querySelector('label[for="variant-select"]');
    if (lbl) lbl.hidden = true;
    refresh();
  } else if (select) {
    select.addEventListener("change", function () {
      var v = data.variants.filter(function (x) { return String(x.id) === select.value; })[0];
      status.textContent = describe(v);
    });
  }

  function refresh() {
    axes.querySelectorAll("button").forEach(function (b) {
      var trial = {};
      for (var k in chosen) { if (k !== b.dataset.axis) trial[k] = chosen[k]; }
      trial[b.dataset.axis] = b.dataset.value;
      var available = inStockWith(trial);
      b.disabled = !available;
      b.title = available ? "" : "품절";
      b.setAttribute("aria-pressed", chosen[b.dataset.axis] === b.dataset.value ? "true" : "false");
      if (!available && chosen[b.dataset.axis] === b.dataset.value) delete chosen[b.dataset.axis];
    });
    var complete = Object.keys(chosen).length === data.options.length;
    var v = complete ? variantFor(chosen) : null;
    select.value = v && v.stock > 0 ? String(v.id) : "";
    status.textContent = v ? describe(v) : "";
  }

  var form = document.getElementById("picker");
  var qty = document.getElementById("qty-input");
  var badge = document.getElementById("cart-count");
  var toastMsg = document.getElementById("cart-toast-msg");
  function showToast(text) {
    if (!toast) return;
    if (toastMsg) toastMsg.textContent = text;
    toast.hidden = false;
    clearTimeout(showToast.t);
    showToast.t = setTimeout(function () { toast.hidden = true; }, 4000);
  }
  if (form) {
    form.addEventListener("submit", function (e) {
      if (select && !select.value) {
        e.preventDefault();
        status.textContent = "옵션을 선택해 주세요.";
        return;
      }
      var action = e.submitter ? e.submitter.value : "cart";
      if (action !== "cart" || !window.fetch || !window.FormData) return; // 구매하기: a normal POST
      e.preventDefault();
      var body = new FormData(form);
      body.set("action", "cart");
      if (qty) body.set("quantity", qty.value || "1");
      cartBtn.disabled = true;
      fetch(form.getAttribute("action"), { method: "POST", body: body, credentials: "same-origin",
                           headers: { "Accept": "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          showToast(data.message || "");
          if (data.ok && badge) { badge.textContent = String(data.count); badge.hidden = false; }
        })
        .catch(function () { form.submit(); })
        .then(function () { cartBtn.disabled = false; });
    });
  }
})();

/* Delivery promise and recommendation widgets load after the page (they never delay it). */
(function () {
  var box = document.getElementById("kk-extras");
  if (!box || !window.fetch) return;
  fetch(box.getAttribute("data-src"), { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
    .then(function (r) { return r.ok ? r.text() : ""; })
    .then(function (html) { box.innerHTML = html; })
    .catch(function () { /* the page works without them */ });
})();
