// Referral form: offer only the providers that give the chosen service, and warn when the
// participant has no permanent residence and the chosen provider does not take such people.
(function () {
  "use strict";
  var form = document.querySelector("[data-referral-form]");
  if (!form) {
    return;
  }
  var service = form.querySelector("select[name=service]");
  var provider = form.querySelector("select[data-provider-select]");
  var warning = form.querySelector("[data-residence-warning]");
  var nonPermanent = form.hasAttribute("data-non-permanent");
  if (!service || !provider) {
    return;
  }

  function filterProviders() {
    var code = service.value;
    Array.prototype.forEach.call(provider.options, function (option) {
      if (!option.value) {
        return;
      }
      var offered = (option.getAttribute("data-services") || "").split(" ");
      var fits = offered.indexOf(code) !== -1;
      option.hidden = !fits;
      option.disabled = !fits;
      if (!fits && option.selected) {
        provider.value = "";
      }
    });
    showWarning();
  }

  function showWarning() {
    if (!warning) {
      return;
    }
    var option = provider.options[provider.selectedIndex];
    var refuses = option && option.value && option.getAttribute("data-accepts-without-residence") === "0";
    warning.classList.toggle("d-none", !(nonPermanent && refuses));
  }

  service.addEventListener("change", filterProviders);
  provider.addEventListener("change", showWarning);
  filterProviders();
})();
