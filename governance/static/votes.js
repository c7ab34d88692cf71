// The proposal form: open the part that belongs to the chosen kind (and method), close the
// others unless they hold an error. Without JavaScript every part opens by a click.
(function () {
  var kind = document.getElementById("f-kind");
  var method = document.getElementById("f-method");
  if (!kind || !method) return;
  function show() {
    var chosen = kind.value === "decision" && method.value === "ranked" ? "decision-ranked" : kind.value;
    document.querySelectorAll("details.kind-part[data-kind]").forEach(function (part) {
      var wanted = part.dataset.kind === chosen;
      if (wanted) part.open = true;
      else if (!part.querySelector(".error") && part.dataset.kind !== "decision") part.open = false;
    });
  }
  kind.addEventListener("change", show);
  method.addEventListener("change", show);
})();
