// Stripe Payment Element: the only script the shop needs.
(function () {
  const form = document.getElementById("payment-form");
  if (!form || typeof Stripe === "undefined") return;
  const stripe = Stripe(form.dataset.publishableKey);
  // The card form in the page's language ("auto": the browser's).
  const elements = stripe.elements({ clientSecret: form.dataset.clientSecret,
                                     locale: document.documentElement.lang || "auto" });
  elements.create("payment").mount("#payment-element");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    document.getElementById("pay-button").disabled = true;
    const { error } = await stripe.confirmPayment({
      elements,
      confirmParams: { return_url: form.dataset.returnUrl },
    });
    document.getElementById("payment-message").textContent = error ? error.message : "";
    document.getElementById("pay-button").disabled = false;
  });
})();
