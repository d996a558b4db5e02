// The review page's one script: select a sentence, show its section of the panel. It builds
// no markup from data (the server wrote every text, escaped); it only shows and hides.
"use strict";
(function () {
  const panel = document.getElementById("review-panel");
  if (!panel) return;

  function select(id) {
    for (const marked of document.querySelectorAll(".review-selected")) {
      marked.classList.remove("review-selected");
    }
    for (const section of panel.querySelectorAll(".review-segment")) {
      section.hidden = section.dataset.for !== id;
    }
    for (const span of document.querySelectorAll("[data-segment]")) {
      if (span.dataset.segment === id) span.classList.add("review-selected");
    }
    panel.classList.add("open");
  }

  function segmentAt(target) {
    const own = target.closest("[data-segment]");
    if (own) return own;
    // A click beside the text of a paragraph (its padding, a bullet) selects its sentence.
    const inside = target.querySelectorAll ? target.querySelectorAll("[data-segment]") : [];
    return inside.length === 1 ? inside[0] : null;
  }

  document.addEventListener("click", function (event) {
    if (event.target.closest(".review-open")) {
      panel.classList.add("open");
      return;
    }
    if (panel.contains(event.target)) {
      if (event.target.closest(".review-close")) panel.classList.remove("open");
      return;
    }
    const span = segmentAt(event.target);
    if (!span) return;
    event.preventDefault(); // a link inside a sentence is read here, not followed
    select(span.dataset.segment);
    history.replaceState(null, "", "#segment-" + span.dataset.segment);
  });

  const wanted = /^#segment-([0-9a-f]{12})$/.exec(location.hash);
  if (wanted) select(wanted[1]);
})();
