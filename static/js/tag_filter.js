// Tag index: filter the tags on this page as you type. The form still submits for a
// server-side filter across all pages, so this is only a shortcut.
"use strict";
(function () {
  const input = document.querySelector("[data-tag-filter]");
  const cards = Array.from(document.querySelectorAll("[data-tag-name]"));
  const status = document.querySelector("[data-tag-filter-status]");
  if (!input || cards.length === 0) return;

  function applyFilter() {
    const needle = input.value.trim().toLowerCase();
    let shown = 0;
    for (const card of cards) {
      const match = card.dataset.tagName.includes(needle);
      card.hidden = !match;
      if (match) shown += 1;
    }
    if (status) {
      status.textContent = needle ? `${shown} tag${shown === 1 ? "" : "s"} on this page match “${needle}”.` : "";
    }
  }

  input.addEventListener("input", applyFilter);
})();
