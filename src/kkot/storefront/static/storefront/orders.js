/* kkot cart/checkout/my-orders helpers: everything works without this file; it only saves clicks. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  // Re-calculate when a selection changes (cart checkboxes, checkout address/coupon).
  document.querySelectorAll("[data-autosubmit]").forEach(function (el) {
    el.addEventListener("change", function () {
      var form = el.form;
      if (!form) return;
      if (form.id === "checkout-form") {
        var a = document.createElement("input");
        a.type = "hidden"; a.name = "action"; a.value = "recalc";
        form.appendChild(a);
      }
      form.submit();
    });
  });
  // Show the new-address fields only when "새 배송지 입력" is chosen.
  var fs = document.querySelector(".addr-new");
  document.querySelectorAll("input[name=address]").forEach(function (r) {
    r.addEventListener("change", function () { if (fs && r.value === "new") fs.removeAttribute("data-collapsed"); });
  });
  // Card number only for the card provider.
  var card = document.querySelector(".card-field");
  function syncCard() {
    var chosen = document.querySelector("input[name=provider]:checked");
    if (card) card.hidden = chosen && chosen.value !== "test_card";
  }
  document.querySelectorAll("input[name=provider]").forEach(function (r) { r.addEventListener("change", syncCard); });
  syncCard();
  // Confirm dialogs (구매확정, 삭제).
  document.querySelectorAll("form[data-confirm]").forEach(function (f) {
    f.addEventListener("submit", function (e) {
      if (!window.confirm(f.dataset.confirm)) e.preventDefault();
    });
  });
  // One click = one order: disable the pay button after the first submit.
  var co = document.getElementById("checkout-form");
  if (co) {
    co.addEventListener("submit", function (e) {
      var b = e.submitter;
      if (b && b.value === "place") {
        if (co.dataset.sent) { e.preventDefault(); return; }
        co.dataset.sent = "1";
        var h = document.createElement("input");
        h.type = "hidden"; h.name = "action"; h.value = "place";
        co.appendChild(h);
        setTimeout(function () { b.disabled = true; }, 0);
      }
    });
  }
})();
