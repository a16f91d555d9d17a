/* kkot product editor: 3-level category picker, attribute/notice reload, rich text, tags, option grid. */
(function () {
  "use strict";
  var T = JSON.parse(document.getElementById("sc-i18n").textContent);
  var form = document.getElementById("product-form");
  if (!form) return;
  var disabled = form.querySelector("fieldset").disabled;

  function el(tag, attrs, kids) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") e.textContent = attrs[k]; else if (k in e && k !== "list") e[k] = attrs[k]; else e.setAttribute(k, attrs[k]);
    });
    (kids || []).forEach(function (k) { e.appendChild(k); });
    return e;
  }

  /* ---- category picker: three cascading selects driving the real <select name=category_id> ---- */
  var tree = JSON.parse(document.getElementById("category-tree").textContent);
  var real = document.getElementById("f-category");
  var pick = form.querySelector("[data-catpick]");
  var levels = [];
  function pathTo(id) {
    var found = null;
    (function walk(nodes, trail) {
      nodes.forEach(function (n) { if (found) return; var t = trail.concat([n]); if (n.id === id) found = t; else walk(n.children, t); });
    })(tree, []);
    return found || [];
  }
  function fill(sel, nodes, placeholder, chosen) {
    sel.innerHTML = "";
    sel.appendChild(el("option", { value: "", text: placeholder }));
    nodes.forEach(function (n) { var o = el("option", { value: n.id, text: n.name }); if (n.id === chosen) o.selected = true; sel.appendChild(o); });
    sel.disabled = disabled || nodes.length === 0;
  }
  function nodesAt(level) {
    var nodes = tree;
    for (var i = 0; i < level; i++) {
      var id = parseInt(levels[i].value, 10);
      var n = nodes.filter(function (x) { return x.id === id; })[0];
      nodes = n ? n.children : [];
    }
    return nodes;
  }
  if (pick && real) {
    var labels = [T.pick1, T.pick2, T.pick3];
    for (var i = 0; i < 3; i++) {
      var s = el("select", { "aria-label": labels[i] });
      levels.push(s); pick.appendChild(s);
    }
    var trail = pathTo(parseInt(real.value, 10));
    levels.forEach(function (sel, i) {
      fill(sel, nodesAt(i), labels[i], trail[i] ? trail[i].id : null);
      sel.addEventListener("change", function () {
        for (var j = i + 1; j < 3; j++) fill(levels[j], nodesAt(j), labels[j], null);
        var leaf = levels[2].value;
        if (leaf !== real.value) { real.value = leaf; real.dispatchEvent(new Event("change")); }
      });
    });
    pick.hidden = false;
  }

  /* ---- attribute / notice section reload on category change (keeps what was typed) ---- */
  var box = document.getElementById("category-fields");
  if (real && box) {
    real.addEventListener("change", function () {
      if (!real.value) return;
      var kept = {};
      box.querySelectorAll("input,select").forEach(function (i) {
        if (i.type === "hidden") return;
        if (i.type === "checkbox") { if (i.checked) (kept[i.name] = kept[i.name] || []).push(i.value); }
        else if (i.value) kept[i.name] = [i.value];
      });
      box.setAttribute("aria-busy", "true");
      fetch(form.dataset.categoryUrl.replace(/\/0\/$/, "/" + real.value + "/"), { credentials: "same-origin" })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(function (d) {
          box.innerHTML = d.html;  // server-rendered from category definitions (no user HTML)
          box.querySelectorAll("input,select").forEach(function (i) {
            var v = kept[i.name]; if (!v || i.type === "hidden") return;
            if (i.type === "checkbox") i.checked = v.indexOf(i.value) >= 0; else i.value = v[0];
          });
          if (disabled) box.querySelectorAll("input,select").forEach(function (i) { i.disabled = true; });
        })
        .catch(function () {})
        .finally(function () { box.removeAttribute("aria-busy"); });
    });
  }

  /* ---- rich description: contenteditable mirrored into the textarea the server sanitises ---- */
  var editor = form.querySelector("[data-editor-for]");
  if (editor) {
    var ta = document.getElementById(editor.dataset.editorFor);
    // The textarea holds server-sanitised HTML only (never the raw input), so it is safe to show.
    editor.innerHTML = ta.value;
    if (disabled) editor.contentEditable = "false";
    var sync = function () { ta.value = editor.innerHTML; };
    editor.addEventListener("input", sync);
    form.querySelectorAll("[data-editor-toolbar] button").forEach(function (b) {
      b.addEventListener("click", function () {
        editor.focus();
        var arg = b.dataset.arg || null;
        if (b.dataset.cmd === "createLink") { arg = window.prompt(T.link, "https://"); if (!arg || !/^https?:\/\//.test(arg)) return; }
        document.execCommand(b.dataset.cmd, false, arg);
        sync();
      });
    });
    form.addEventListener("submit", sync);
  }

  /* ---- tags counter ---- */
  var tags = document.getElementById("f-tags"), tagCount = form.querySelector("[data-tag-count]");
  function countTags() {
    var n = tags.value.split(/[,\n]/).map(function (t) { return t.trim(); }).filter(Boolean).length;
    tagCount.textContent = T.tags.replace("{n}", n) + (n > 10 ? " · " + T.too_many_tags : "");
    tagCount.className = "help" + (n > 10 ? " slug-hint bad" : "");
  }
  if (tags && tagCount) { tags.addEventListener("input", countTags); countTags(); }

  /* ---- options (up to 3 axes) -> variant grid, posted as JSON in options_json ---- */
  var builder = document.getElementById("option-builder");
  var target = document.getElementById("f-options");
  if (!builder || !target) return;
  var state;
  try { state = JSON.parse(target.value || "{}"); } catch (e) { state = {}; }
  state.options = state.options || [];
  state.variants = state.variants || [];
  function labelOf(ov) { return state.options.map(function (o) { return ov[o.name]; }).join(" / "); }
  var byLabel = {};
  state.variants.forEach(function (v) { byLabel[labelOf(v.option_values || {})] = v; });

  function combos() {
    var out = [{}];
    state.options.forEach(function (o) {
      if (!o.name || !o.values.length) return;
      var next = [];
      out.forEach(function (c) { o.values.forEach(function (val) { var d = Object.assign({}, c); d[o.name] = val; next.push(d); }); });
      out = next;
    });
    return out;
  }
  function save() {
    state.variants = combos().map(function (ov) {
      var old = byLabel[labelOf(ov)] || {};
      return { option_values: ov, sku: old.sku || "", price_delta: old.price_delta || 0,
               stock: old.stock === undefined ? 0 : old.stock, is_active: old.is_active === undefined ? true : old.is_active };
    });
    state.variants.forEach(function (v) { byLabel[labelOf(v.option_values)] = v; });
    target.value = JSON.stringify({ options: state.options.filter(function (o) { return o.name && o.values.length; }), variants: state.variants });
  }
  function render() {
    builder.innerHTML = "";
    state.options.forEach(function (o, idx) {
      var name = el("input", { type: "text", value: o.name, placeholder: T.option_name, maxLength: 20, "aria-label": T.option_name });
      var vals = el("input", { type: "text", value: o.values.join(", "), placeholder: T.option_values, "aria-label": T.option_values });
      var rm = el("button", { type: "button", className: "btn small danger", text: T.remove });
      name.addEventListener("change", function () { o.name = name.value.trim(); save(); render(); });
      vals.addEventListener("change", function () {
        var seen = {};
        o.values = vals.value.split(",").map(function (v) { return v.trim(); }).filter(function (v) { if (!v || seen[v]) return false; seen[v] = 1; return true; });
        save(); render();
      });
      rm.addEventListener("click", function () { state.options.splice(idx, 1); save(); render(); });
      builder.appendChild(el("div", { className: "optaxis" }, [name, vals, rm]));
    });
    var add = el("button", { type: "button", className: "btn small", text: "+ " + T.add_option });
    add.disabled = disabled || state.options.length >= 3;
    add.addEventListener("click", function () { state.options.push({ name: "", values: [] }); render(); });
    builder.appendChild(add);

    var fillInput = el("input", { type: "number", min: 0, placeholder: T.bulk_fill, style: "max-width:12rem;margin-left:.5rem" });
    var fillBtn = el("button", { type: "button", className: "btn small", text: T.apply });
    fillBtn.addEventListener("click", function () {
      var n = parseInt(fillInput.value, 10); if (isNaN(n) || n < 0) return;
      state.variants.forEach(function (v) { v.stock = n; }); save(); render();
    });
    builder.appendChild(fillInput); builder.appendChild(fillBtn);

    var head = el("tr", {}, [T.combo, T.sku, T.delta, T.stock, T.active].map(function (h) { return el("th", { text: h }); }));
    var body = el("tbody");
    state.variants.forEach(function (v) {
      var sku = el("input", { type: "text", value: v.sku, maxLength: 60, "aria-label": T.sku });
      var delta = el("input", { type: "number", value: v.price_delta, step: 100, "aria-label": T.delta });
      var stock = el("input", { type: "number", value: v.stock, min: 0, "aria-label": T.stock });
      var act = el("input", { type: "checkbox", checked: v.is_active, "aria-label": T.active });
      sku.addEventListener("change", function () { v.sku = sku.value.trim(); save(); });
      delta.addEventListener("change", function () { v.price_delta = delta.value || 0; save(); });
      stock.addEventListener("change", function () { v.stock = stock.value === "" ? 0 : stock.value; save(); });
      act.addEventListener("change", function () { v.is_active = act.checked; save(); });
      body.appendChild(el("tr", {}, [el("td", { text: labelOf(v.option_values) || T.base }),
        el("td", {}, [sku]), el("td", {}, [delta]), el("td", {}, [stock]), el("td", {}, [act])]));
    });
    builder.appendChild(el("div", { className: "scroll-x", style: "margin-top:.6rem" },
      [el("table", { className: "simple optgrid" }, [el("thead", {}, [head]), body])]));
    if (disabled) builder.querySelectorAll("input,button").forEach(function (i) { i.disabled = true; });
  }
  save(); render();
})();
