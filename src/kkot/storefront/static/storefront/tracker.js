/* kkot storefront tracker: batches events and sends them to /e/ with navigator.sendBeacon.
   Emitted only when the shopper has not opted out and the browser sends neither DNT nor GPC.
   Stores nothing personal: a random visitor id cookie, a visit id (new after 30 minutes idle), and the
   visit's inflow (UTM parameters, the referrer's host only). */
(function () {
  "use strict";
  if (navigator.doNotTrack === "1" || navigator.globalPrivacyControl === true) return;
  var ENDPOINT = "/e/", MAX_BATCH = 50, IDLE_MS = 30 * 60 * 1000, YEAR = 365 * 24 * 3600;
  var body = document.body, queue = [], timer = null;
  var pageType = body.dataset.kkPage || "other";
  var storeId = body.dataset.kkStore ? Number(body.dataset.kkStore) : null;
  var productId = body.dataset.kkProduct ? Number(body.dataset.kkProduct) : null;

  function rid() {
    var a = new Uint8Array(16);
    (window.crypto || window.msCrypto).getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function cookie(name) {
    var m = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return m ? m[1] : null;
  }
  function setCookie(name, value, maxAge) {
    document.cookie = name + "=" + value + "; Max-Age=" + maxAge + "; Path=/; SameSite=Lax" +
      (location.protocol === "https:" ? "; Secure" : "");
  }
  function storage() { try { return window.localStorage; } catch (e) { return null; } }

  // Visitor and visit ids.
  var vid = cookie("kk_vid");
  if (!vid) { vid = rid(); setCookie("kk_vid", vid, YEAR); }
  var ls = storage(), visit = null;
  try { visit = JSON.parse((ls && ls.getItem("kk_visit")) || "null"); } catch (e) { visit = null; }
  var now = Date.now(), landedKc = null;
  if (!visit || !cookie("kk_sid") || visit.id !== cookie("kk_sid") || now - visit.last > IDLE_MS) {
    var params = new URLSearchParams(location.search), refHost = "";
    try { refHost = document.referrer ? new URL(document.referrer).hostname : ""; } catch (e) { refHost = ""; }
    visit = {
      id: rid(), last: now,
      inflow: {
        utm_source: (params.get("utm_source") || "").slice(0, 60),
        utm_medium: (params.get("utm_medium") || "").slice(0, 60),
        utm_campaign: (params.get("utm_campaign") || "").slice(0, 80),
        referrer_host: refHost.toLowerCase().slice(0, 100),
        kc: /^\d{1,18}$/.test(params.get("kc") || "") ? params.get("kc") : "",  // ad link: ?kc=<campaign id>
        kin: /^[A-Za-z0-9][A-Za-z0-9_-]{1,19}$/.test(params.get("kin") || "") ? params.get("kin") : ""  // seller's channel link
      }
    };
    if (visit.inflow.kc) landedKc = { campaign_id: Number(visit.inflow.kc), query: params.get("kw") || "" };
  }
  function touch() {
    visit.last = Date.now();
    setCookie("kk_sid", visit.id, IDLE_MS / 1000);
    if (ls) { try { ls.setItem("kk_visit", JSON.stringify(visit)); } catch (e) { /* full or blocked */ } }
  }
  touch();

  function flush() {
    if (timer) { clearTimeout(timer); timer = null; }
    while (queue.length) {
      var batch = queue.splice(0, MAX_BATCH);
      var payload = JSON.stringify({ visit: visit.id, inflow: visit.inflow, events: batch });
      var blob = new Blob([payload], { type: "application/json" });
      if (!(navigator.sendBeacon && navigator.sendBeacon(ENDPOINT, blob))) {
        try {
          fetch(ENDPOINT, { method: "POST", body: payload, keepalive: true, credentials: "same-origin",
                            headers: { "Content-Type": "application/json" } });
        } catch (e) { /* give up silently */ }
      }
    }
  }
  function track(kind, props) {
    var ev = { kind: kind, ts: Date.now(), page_type: pageType };
    if (storeId) ev.store_id = storeId;
    for (var k in props || {}) { if (props[k] !== null && props[k] !== undefined && props[k] !== "") ev[k] = props[k]; }
    if (typeof ev.query === "string") ev.query = ev.query.slice(0, 100);
    queue.push(ev);
    touch();
    if (queue.length >= MAX_BATCH) flush();
    else if (!timer) timer = setTimeout(flush, 5000);
  }
  window.kk = { track: track, flush: flush };

  if (landedKc) track("ad_click", landedKc);
  track("page_view", {});
  if (pageType === "product" && productId) track("product_view", { product_id: productId });

  document.addEventListener("click", function (e) {
    var el = e.target.closest ? e.target.closest("[data-kk-section]") : null;
    if (!el || el.id === "cart-btn") return;
    var section = el.getAttribute("data-kk-section").slice(0, 40), pos = el.getAttribute("data-kk-pos");
    var props = { section: section };
    if (pos && /^\d+$/.test(pos)) props.position = Math.min(Number(pos), 32767);
    if (el.dataset.kkProduct) props.product_id = Number(el.dataset.kkProduct);
    if (el.dataset.kkStore) props.store_id = Number(el.dataset.kkStore);
    var r = el.getBoundingClientRect();  // where inside the section (0..1000 each way), nothing else
    if (r.width > 0 && r.height > 0 && typeof e.clientX === "number") {
      props.x = Math.max(0, Math.min(1000, Math.round((e.clientX - r.left) / r.width * 1000)));
      props.y = Math.max(0, Math.min(1000, Math.round((e.clientY - r.top) / r.height * 1000)));
    }
    track("click", props);
    flush();  // the page is about to change
  }, true);
  window.addEventListener("pagehide", flush);
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "hidden") flush(); });
})();
