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

// Reduced motion: the hidden looping copy of each gifv (CSS shows the still one)
// stops and lets go of its file, so it costs no bandwidth.
(function () {
  "use strict";
  if (!window.matchMedia || !window.matchMedia("(prefers-reduced-motion: reduce)").matches) return;
  document.querySelectorAll("video.gifv-motion").forEach(function (video) {
    video.pause();
    video.removeAttribute("autoplay");
    video.removeAttribute("src");
    video.load();
  });
})();
