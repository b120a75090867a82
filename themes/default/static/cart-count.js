// The number of items in the cart, beside "Cart" in the header: from the cookie cart_count,
// which the shop sets when the cart changes (storefront/cart/count.py). The page itself is
// the same for every guest, so caches can keep it.
(function () {
  "use strict";
  var found = document.cookie.match(/(?:^|;\s*)cart_count=(\d+)/);
  var count = found ? parseInt(found[1], 10) : 0;
  document.querySelectorAll("[data-cart-count]").forEach(function (element) {
    element.textContent = count ? " (" + count + ")" : "";
    element.hidden = !count;
  });
})();
