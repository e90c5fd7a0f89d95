// Reader-side helpers of tfopt_docs (the build side is docs/_ext/site_browser.py).
(function () {
  "use strict";

  // The language switcher keeps the section: a translated page keeps the
  // English section ids, so "#id" of the section being read is the same there.
  function currentSection() {
    if (location.hash.length > 1) return location.hash;
    let id = "";
    const headings = document.querySelectorAll(
      "article.bd-article section[id] > :is(h1, h2, h3, h4, h5, h6)");
    // The section whose heading was passed last; at the end of the page, the
    // last heading in sight (a short last section never reaches the top).
    const atEnd = window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 2;
    const limit = atEnd ? window.innerHeight : window.innerHeight / 3;
    for (const heading of headings) {
      if (heading.getBoundingClientRect().top > limit) break;
      id = heading.parentElement.id;
    }
    return id ? "#" + id : "";
  }
  document.addEventListener("click", function (event) {
    const link = event.target.closest && event.target.closest("nav.site-lang-switcher a[hreflang]");
    if (link) link.href = link.href.split("#")[0] + currentSection();
  }, true);

  // A display equation wider than the column is scaled down to fit, to 60% at
  // most on a wide screen (where the column is narrowed by two sidebars) and to
  // 80% on a phone; what is still too wide scrolls inside its own box (tfopt.css).
  function fitMath() {
    const least = window.innerWidth >= 960 ? 0.6 : 0.8;
    for (const box of document.querySelectorAll('div.math mjx-container[display="true"]')) {
      if (box.dataset.siteFontSize === undefined) box.dataset.siteFontSize = box.style.fontSize || "";
      box.style.fontSize = box.dataset.siteFontSize;
      const available = box.clientWidth, needed = box.scrollWidth;
      if (available > 0 && needed > available + 1) {
        const base = parseFloat(box.dataset.siteFontSize) || 100;
        box.style.fontSize = (base * Math.max(least, (available - 2) / needed)).toFixed(1) + "%";
      }
    }
  }
  window.tfoptFitMath = fitMath;

  // The theme's sidebar toggles (<summary> with only a chevron icon) have no
  // name for screen readers: name each after the section it opens.
  function labelToggles() {
    const zh = document.documentElement.lang.toLowerCase().startsWith("zh");
    for (const summary of document.querySelectorAll("li.has-children > details > summary")) {
      if (summary.textContent.trim() || summary.hasAttribute("aria-label")) continue;
      const link = summary.parentElement.parentElement.querySelector(":scope > a");
      const title = link ? link.textContent.trim() : "";
      summary.setAttribute("aria-label", zh ? `展开或收起“${title}”下的页面` : `Show or hide the pages under “${title}”`);
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", labelToggles);
  else labelToggles();
  let pending = null;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(fitMath, 100);
  });
  window.addEventListener("load", function () {
    if (window.MathJax && MathJax.startup && MathJax.startup.promise) MathJax.startup.promise.then(fitMath);
  });
})();
