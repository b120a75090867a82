// The member box of the static site: asks the shop who is signed in (GET /api/me, with the
// shop's cookies) and shows the member's name, tier and points instead of "Log in".
// Loaded only on pages written by `storefront build`; the URLs come from data attributes.
(function () {
  "use strict";
  var script = document.currentScript;
  var meUrl = script && script.dataset.meUrl;
  if (!meUrl || !window.fetch || !window.URL) {
    return;
  }
  // The shop answers pages of its own origin and of STATIC_SITE_URL's (data-site-origin);
  // from anywhere else the browser would block the answer and log a CORS error: do not ask.
  var shopOrigin = new URL(meUrl, window.location.href).origin;
  var here = window.location.origin;
  if (here !== shopOrigin && here !== script.dataset.siteOrigin) {
    return;
  }

  function show(me) {
    var box = document.querySelector("[data-member-box]");
    if (!box || !me || !me.signed_in) {
      return;
    }
    var link = document.createElement("a");
    link.href = script.dataset.accountUrl || meUrl;
    link.textContent = me.name || script.dataset.accountLabel || "My account";
    box.appendChild(link);
    var facts = [];
    if (me.tier) {
      facts.push(me.tier);
    }
    if (typeof me.points === "number") {
      // In the page's language: "1,250 points", "1.250 puntos".
      var points = me.points.toLocaleString(document.documentElement.lang || undefined);
      facts.push((script.dataset.pointsLabel || "{points} points").replace("{points}", points));
    }
    if (facts.length) {
      var detail = document.createElement("span");
      detail.className = "member-box__facts";
      detail.textContent = " · " + facts.join(" · ");
      box.appendChild(detail);
    }
    box.hidden = false;
    document.querySelectorAll("[data-guest-only]").forEach(function (el) {
      el.hidden = true;
    });
  }

  fetch(meUrl, { credentials: "include", headers: { Accept: "application/json" } })
    .then(function (response) { return response.ok ? response.json() : null; })
    .then(show)
    .catch(function () { /* the shop is unreachable: the page stays as a guest sees it */ });
})();
