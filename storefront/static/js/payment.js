/* Payment page: Stripe.js card field, confirmCardPayment, French messages, retry on decline. */
(function () {
  "use strict";
  var form = document.getElementById("payment-form");
  if (!form) { return; }
  var button = document.getElementById("pay-button");
  var errorBox = document.getElementById("payment-error");
  var statusBox = document.getElementById("payment-status");
  var data = form.dataset;

  var MESSAGES = {
    card_declined: "Votre carte a été refusée. Vérifiez ses informations ou essayez une autre carte.",
    insufficient_funds: "Votre carte a été refusée : provision insuffisante. Essayez une autre carte.",
    expired_card: "Votre carte a expiré. Essayez une autre carte.",
    incorrect_cvc: "Le cryptogramme (CVC) est incorrect. Vérifiez-le et réessayez.",
    incorrect_number: "Le numéro de carte est incorrect. Vérifiez-le et réessayez.",
    invalid_number: "Le numéro de carte est incorrect. Vérifiez-le et réessayez.",
    invalid_expiry_month: "La date d'expiration est incorrecte.",
    invalid_expiry_year: "La date d'expiration est incorrecte.",
    processing_error: "Une erreur est survenue pendant le paiement. Réessayez dans un instant.",
    authentication_required: "Votre banque demande une authentification qui n'a pas abouti. Réessayez.",
    payment_intent_authentication_failure: "L'authentification auprès de votre banque a échoué. Réessayez ou essayez une autre carte."
  };
  var GENERIC = "Le paiement n'a pas abouti. Vérifiez les informations de votre carte et réessayez.";

  function showError(message) {
    statusBox.hidden = true;
    errorBox.textContent = message;
    errorBox.hidden = false;
    // Focus the message so screen readers and keyboard users land on it.
    errorBox.setAttribute("tabindex", "-1");
    errorBox.focus();
  }
  function showStatus(message) {
    errorBox.hidden = true;
    statusBox.textContent = message;
    statusBox.hidden = false;
  }
  function frenchMessage(error) {
    if (!error) { return GENERIC; }
    return MESSAGES[error.decline_code] || MESSAGES[error.code] || GENERIC;
  }

  if (typeof window.Stripe !== "function") {
    showError("Le service de paiement ne répond pas. Rechargez la page dans un instant.");
    return;
  }

  var payment = null;
  var stripe = null;
  var card = null;

  function loadPayment() {
    return fetch(data.paymentUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      });
  }

  loadPayment()
    .then(function (result) {
      if (!result.ok) {
        showError(result.body && result.body.message ? result.body.message : GENERIC);
        return;
      }
      payment = result.body;
      if (payment.status === "succeeded") {
        window.location.assign(data.successUrl);
        return;
      }
      if (payment.last_failure_message) {
        showError("Le dernier essai a échoué : " + payment.last_failure_message +
                  " Vous pouvez réessayer avec la même carte ou une autre.");
      }
      stripe = window.Stripe(payment.publishable_key);
      card = stripe.elements({ locale: "fr" }).create("card", { hidePostalCode: true });
      card.mount("#card-element");
      button.disabled = false;
    })
    .catch(function () {
      showError("Le service de paiement ne répond pas. Rechargez la page dans un instant.");
    });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!payment || !stripe || !card) { return; }
    button.disabled = true;
    showStatus("Paiement en cours…");
    // The intent of a declined attempt is replaced by the server: ask for the current one
    // before each attempt instead of confirming the spent one again.
    loadPayment().then(function (result) {
      if (!result.ok) { throw new Error(result.body && result.body.message); }
      payment = result.body;
      if (payment.status === "succeeded") { window.location.assign(data.successUrl); return null; }
      return confirmWith(payment.client_secret);
    }).catch(function (error) {
      showError(error && error.message ? error.message : GENERIC);
      button.disabled = false;
    });
  });

  function confirmWith(clientSecret) {
    return stripe.confirmCardPayment(clientSecret, {
      payment_method: {
        card: card,
        billing_details: {
          name: data.billingName,
          email: data.billingEmail,
          address: {
            line1: data.billingLine1,
            line2: data.billingLine2 || undefined,
            postal_code: data.billingPostalCode,
            city: data.billingCity,
            country: data.billingCountry
          }
        }
      }
    }).then(function (result) {
      if (result.error) {
        showError(frenchMessage(result.error));
        button.disabled = false;  // the shopper may retry, with the same card or another
        return;
      }
      if (result.paymentIntent && result.paymentIntent.status === "succeeded") {
        showStatus("Paiement transmis, merci ! Nous attendons la confirmation de la banque…");
        window.location.assign(data.successUrl);
        return;
      }
      showError(GENERIC);
      button.disabled = false;
    }, function () {
      showError(GENERIC);
      button.disabled = false;
    });
  }
})();
