/* The book's two behaviours on top of the theme (loaded deferred on every page). */
"use strict";

/* 1. A solution's title, "Solution to Exercise 1.2 (...)", holds a link to the exercise.
 * sphinx-togglebutton 0.4.5 toggles a solution when its title is clicked, but a click on that
 * link finds no button (it throws "button is not defined", or closes the solution opened last)
 * and jumps to the exercise. A plain click on the link opens or closes this solution instead;
 * a click with a modifier key (new tab) still follows the link. */
document.addEventListener(
  "click",
  (event) => {
    const link = event.target.closest(".admonition.toggle > .admonition-title a");
    if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
    link.closest(".admonition-title").querySelector("button.toggle-button").click();
  },
  true,
);

/* The toggle button of a solution's title is named after the title ("Solution to Exercise 1.2
 * (...)"), not "Toggle hidden content"; its aria-expanded says whether it is open. */
window.addEventListener("load", () => {
  document.querySelectorAll(".admonition-title > button.toggle-button").forEach((button) => {
    button.setAttribute("aria-label", button.parentElement.textContent.trim());
  });
});

/* 2. A table, an equation, a code block, an output or (on a phone) a figure that is wider than
 * the column scrolls sideways; data-scroll says on which side there is more, and book.css fades
 * that edge, so the reader sees that it scrolls (phones hide scroll bars until one scrolls).
 * Each box is measured when it comes near the screen, and again when it scrolls or the window
 * changes size: measuring the whole page at once would hold up a phone for a second. */
const SCROLLERS = [
  ".pst-scrollable-table-container",
  ".bd-article div.math",
  ".bd-article .highlight pre",
  ".cell_output",
  ".cell_output > .output",
].join(", ");

function scrollState(box) {
  const more = box.scrollWidth - box.clientWidth;
  if (more <= 1) return null;
  const left = box.scrollLeft > 1;
  const right = box.scrollLeft < more - 1;
  return left && right ? "both" : left ? "left" : "right";
}

function markScroll(boxes) {
  const states = boxes.map(scrollState); // all the reading first, then all the writing
  boxes.forEach((box, i) => {
    if (states[i] === null) box.removeAttribute("data-scroll");
    else if (box.dataset.scroll !== states[i]) box.dataset.scroll = states[i];
  });
}

const nearScreen = new IntersectionObserver(
  (entries) => markScroll(entries.filter((e) => e.isIntersecting).map((e) => e.target)),
  { rootMargin: "50% 0px" },
);

function watchAll() {
  nearScreen.disconnect();
  document.querySelectorAll(SCROLLERS).forEach((box) => nearScreen.observe(box));
}

document.addEventListener(
  "scroll",
  (event) => {
    if (event.target instanceof Element && event.target.matches(SCROLLERS)) {
      markScroll([event.target]);
    }
  },
  true,
);
// A hidden cell or solution that opens, a resized window, typeset math: measure again.
document.addEventListener("toggle", watchAll, true);
document.addEventListener("click", () => requestAnimationFrame(watchAll));
window.addEventListener("resize", watchAll);
watchAll();

/* 3. MathJax (1.1 MB of script) loads when the first formula comes near the screen, not with
 * the page, and typesets the formulas as they come near the screen, a few at a time, each batch
 * in a task of its own: typesetting a chapter's 60 formulas at once held up a phone for about a
 * second, and a chapter's first screen draws without waiting for it. page_scripts.py leaves
 * MathJax's address on its configuration script (data-src), which tells MathJax not to typeset
 * the whole page when it starts. */
const mathJaxConfig = document.getElementById("book-mathjax");
if (mathJaxConfig) {
  const formulas = Array.from(
    document.querySelectorAll(".math, .output_area, .cell_output .output.text_latex"),
  );
  const waiting = new Set(); // near the screen (or asked for), not yet typeset
  let started = null;
  let queue = Promise.resolve();
  const start = () => {
    started ||= new Promise((resolve) => {
      const script = document.createElement("script");
      script.src = mathJaxConfig.dataset.src;
      script.addEventListener("load", () => MathJax.startup.promise.then(resolve));
      document.head.appendChild(script);
    });
    return started;
  };
  const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));
  let batchSize = 4;
  const typesetWaiting = async () => {
    await start();
    while (waiting.size) {
      const batch = Array.from(waiting).slice(0, batchSize);
      batch.forEach((formula) => waiting.delete(formula));
      await MathJax.typesetPromise(batch);
      // A typeset equation may now be wider than its column: mark its box (part 2).
      const boxes = batch.map((f) => (f.matches(SCROLLERS) ? f : f.closest(SCROLLERS)));
      markScroll(Array.from(new Set(boxes.filter(Boolean))));
      await nextTask();
    }
  };
  const typeset = (some) => {
    some.forEach((formula) => {
      near.unobserve(formula);
      waiting.add(formula);
    });
    queue = queue.then(typesetWaiting).catch((error) => console.error(error));
    return queue;
  };
  const near = new IntersectionObserver(
    (entries) => {
      const shown = entries.filter((e) => e.isIntersecting).map((e) => e.target);
      if (shown.length) typeset(shown);
    },
    { rootMargin: "100% 0px" },
  );
  formulas.forEach((formula) => near.observe(formula));
  // Printing: every formula, now. (The site test waits for the promise.)
  // (In one batch: the reader waits for all of them anyway.)
  window.bookTypesetAll = () => {
    batchSize = Infinity;
    return typeset(formulas);
  };
  window.addEventListener("beforeprint", window.bookTypesetAll, { once: true });
}

/* 4. The search page. Sphinx's summary of a result is the page's main text, which with this
 * theme begins with the article's buttons (".ipynb", ".pdf") and the print-only contents list:
 * those are left out. And a chapter section that teaches a term ranks above an API page that
 * only names it (Appendix C's functions otherwise come first for "convolution"). */
// Sphinx declares Search with const (not a property of window) and Scorer with var.
if (typeof Search !== "undefined" && Search.htmlToText && typeof Scorer !== "undefined") {
  const pageText = Search.htmlToText;
  Search.htmlToText = (htmlString, anchor) => {
    const page = new DOMParser().parseFromString(htmlString, "text/html");
    const chrome = ".bd-header-article, #jb-print-docs-body, .prev-next-footer, .toggle-button";
    page.querySelectorAll(chrome).forEach((el) => el.remove());
    return pageText(page.documentElement.outerHTML, anchor);
  };
  const score = Scorer.score;
  Scorer.score = (result) => {
    const base = score ? score(result) : result[4];
    return result[0].startsWith("book/api/") ? base - 20 : base;
  };
}
