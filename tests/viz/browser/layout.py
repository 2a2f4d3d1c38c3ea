"""Checks of what a planner sees, run in the browser on a whole page: elements overflowing their
card, words broken across lines, numbers written with more than their unit's precision, and text
that is not the session's language (shared by the Compare and Explore tests in Bahasa Indonesia)."""

from __future__ import annotations

import re

# Every visible element inside a card whose box runs past the card's left or right edge (a wide
# table scrolls inside its own box: what is inside a scrolling box is reached by scrolling, and
# only the box itself is measured), and
# every button, card title or field label whose text is wider than its box (clipped).
OVERFLOW_JS = """() => {
  const out = [];
  const scrolls = el => { const s = getComputedStyle(el).overflowX; return s === 'auto' || s === 'scroll'; };
  document.querySelectorAll('.v-card').forEach(card => {
    const edge = card.getBoundingClientRect();
    card.querySelectorAll('*').forEach(el => {
      if (el.closest('.js-plotly-plot') || el.closest('svg') || !el.getClientRects().length) return;
      for (let p = el.parentElement; p && p !== card; p = p.parentElement) if (scrolls(p)) return;
      const box = edge;
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) return;
      const text = (el.innerText || el.value || el.className || '').toString().trim().slice(0, 60);
      if (r.right > box.right + 1 || r.left < box.left - 1) out.push('past the card: ' + text);
      if (el.matches('.v-btn__content, .v-card__title, .v-label') && el.scrollWidth > el.clientWidth + 1)
        out.push('clipped: ' + text);
    });
  });
  return Array.from(new Set(out));
}"""

# Chart titles (and axis titles) drawn past their chart's edge: plotly never wraps a title.
CUT_TITLES_JS = """() => {
  const out = [];
  document.querySelectorAll('.js-plotly-plot').forEach(gd => {
    const edge = gd.getBoundingClientRect();
    gd.querySelectorAll('.gtitle, .xtitle, .ytitle, .y2title').forEach(e => {
      const r = e.getBoundingClientRect();
      if (r.width && (r.right > edge.right + 1 || r.left < edge.left - 1)) out.push(e.textContent);
    });
  });
  return out;
}"""

# Words of the page's text broken over two lines (a word's text spans two line boxes); a word
# may break at a hyphen or a slash, so those split words first.
BROKEN_WORDS_JS = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || el.closest('svg, script, style, textarea') || !el.getClientRects().length) continue;
    const text = node.textContent;
    const re = /[^\\s\\-\\/]+/g;
    let m;
    while ((m = re.exec(text)) !== null) {
      if (m[0].length < 2) continue;
      const range = document.createRange();
      range.setStart(node, m.index); range.setEnd(node, m.index + m[0].length);
      const tops = new Set(Array.from(range.getClientRects()).filter(r => r.width > 0).map(r => Math.round(r.top)));
      if (tops.size > 1) out.push(m[0]);
    }
  }
  return out;
}"""

# A number with more decimals than any unit on the page uses (shares 1, correlations 2), or in
# scientific notation: in Bahasa Indonesia the decimal comma, in English the decimal point.
TOO_PRECISE = {"id": re.compile(r"\d,\d{3,}|\d[eE][+-]\d"), "en": re.compile(r"\d\.\d{3,}|\d[eE][+-]\d")}
# Plotly's own abbreviations on an axis ("0,2M", "45k"): the language's words are used instead.
SI_TICK = re.compile(r"^-?[\d.,]+\s?[kMGT]$")
# Framework text that is not from the catalog.
FOREIGN = ("This website runs on Solara", "Made with Solara", "Rows per page", "Copy of ")


def overflowing(page) -> list[str]:
    return page.evaluate(OVERFLOW_JS)


def cut_titles(page) -> list[str]:
    return page.evaluate(CUT_TITLES_JS)


def broken_words(page) -> list[str]:
    return page.evaluate(BROKEN_WORDS_JS)


def too_precise(strings: list[str], lang: str) -> list[str]:
    return [s for s in strings if TOO_PRECISE[lang].search(s)]


def foreign(strings: list[str]) -> list[str]:
    return [s for s in strings if any(f in s for f in FOREIGN) or SI_TICK.match(s)]
