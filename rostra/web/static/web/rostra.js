// Small enhancements only: every feature works without this file.
// A live character counter under each compose textarea.
(function () {
  "use strict";
  function counter(form) {
    var text = form.querySelector("textarea[name=text]");
    var out = form.querySelector(".char-count");
    var cw = form.querySelector("input[name=spoiler_text]");
    if (!text || !out) return;
    var limit = parseInt(text.getAttribute("data-limit"), 10) || 500;
    function update() {
      // Links count as 23 characters, as the server counts them.
      var raw = text.value.replace(/https?:\/\/[^\s<>"']+/g, "x".repeat(23));
      var left = limit - raw.length - (cw ? cw.value.trim().length : 0);
      out.textContent = left + " left";
      out.classList.toggle("over", left < 0);
    }
    text.addEventListener("input", update);
    if (cw) cw.addEventListener("input", update);
    update();
  }
  document.querySelectorAll("form[data-compose]").forEach(counter);
})();
