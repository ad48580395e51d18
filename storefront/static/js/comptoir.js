/* Comptoir: small progressive enhancements; every page works without this file. */
(function () {
  "use strict";

  // Ask before irreversible actions (forms marked data-confirm="question").
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  // Filters and sort menus apply as soon as they change (a button stays for keyboards).
  document.querySelectorAll("[data-autosubmit]").forEach(function (element) {
    element.addEventListener("change", function () {
      if (element.form) { element.form.submit(); }
    });
  });

  // In the cart, the slot picker of a shop only matters while "pickup" is chosen.
  function syncSlots(group) {
    var picker = document.getElementById(group.getAttribute("data-slots"));
    if (!picker) { return; }
    var checked = group.querySelector("input[type=radio]:checked");
    var pickup = checked && checked.getAttribute("data-kind") === "pickup";
    picker.hidden = !pickup;
    picker.querySelectorAll("input, select").forEach(function (input) { input.disabled = !pickup; });
  }
  document.querySelectorAll("[data-slots]").forEach(function (group) {
    group.addEventListener("change", function () { syncSlots(group); });
    syncSlots(group);
  });

  // On a phone, the search filters fold under their title so the results come first.
  if (window.matchMedia && window.matchMedia("(max-width: 600px)").matches) {
    document.querySelectorAll("details[data-fold-on-phone]").forEach(function (panel) {
      panel.open = false;
    });
  }
})();

/* Sign-up: the shop fieldset only shows for "Je suis un vendeur". */
(function () {
  "use strict";
  var shop = document.getElementById("boutique");
  if (!shop) { return; }
  var radios = document.querySelectorAll("input[name=role]");
  function sync() {
    var checked = document.querySelector("input[name=role]:checked");
    shop.hidden = !(checked && checked.value === "vendeur");
  }
  radios.forEach(function (radio) { radio.addEventListener("change", sync); });
  sync();
})();
