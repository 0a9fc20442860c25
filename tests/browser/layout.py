"""What "nothing cut off" means in the browser, as checks a walk through the app runs.

`layout_problems(page)` returns one line per visible place a student cannot read in full:
- text cut with an ellipsis (an element with text-overflow: ellipsis whose text is wider
  than its box: metric labels, button labels, select boxes, tabs, multiselect tags), or a
  value wider than its input (a select box's chosen option);
- a formula (KaTeX) wider than its box (it is clipped or scrolls sideways);
- a table (st.dataframe) whose columns need more width than it has (its canvas cuts cells
  with "…" or hides columns off to the right; text measured with the grid's own font);
- with every_option, a select box too narrow for any of its options (a student may pick
  any of them; the options are the ones the server sent, read from the element's props);
- the page itself scrolling sideways;
- a Streamlit exception box.
"""

from __future__ import annotations

_PROBLEMS_JS = r"""(everyOption) => {
  const out = [];
  // A collapsed sidebar stays in the DOM, moved off screen: what is in it is not shown.
  const shown = el => el.getClientRects().length > 0 &&
    el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true}) &&
    !el.closest('[data-testid="stSidebar"][data-collapsed="true"]');
  const text = el => (el.innerText || el.textContent || '').trim().replace(/\s+/g, ' ');
  const where = el => el.closest('[data-testid="stSidebar"]') ? 'sidebar' :
    el.closest('[data-testid="stPopoverBody"]') ? 'popover' : 'main';
  // A popover's body is drawn outside the main area (a portal).
  const roots = document.querySelectorAll(
    '[data-testid="stMain"], [data-testid="stSidebar"], [data-testid="stPopoverBody"]');
  for (const root of roots) {
    for (const el of root.querySelectorAll('*')) {
      if (el.children.length > 3) continue;  // ellipsis boxes are leaves or near-leaves
      const cs = getComputedStyle(el);
      if (cs.textOverflow !== 'ellipsis' || !text(el)) continue;
      if (el.scrollWidth > el.clientWidth + 1 && shown(el))
        out.push(`cut text (${where(el)}): "${text(el).slice(0, 70)}"`);
    }
  }
  // A select box shows its value in an input, which clips it without an ellipsis. Its
  // scrollWidth misses a value cut by less than the input's right padding, so the value is
  // measured with the input's own font against the width between its paddings.
  const typed = new Set(['checkbox', 'radio', 'range', 'file', 'hidden', 'button', 'submit']);
  const measure = document.createElement('canvas').getContext('2d');
  for (const root of roots)
    for (const inp of root.querySelectorAll('input')) {
      if (typed.has(inp.type) || !inp.value || !shown(inp)) continue;
      const cs = getComputedStyle(inp);
      measure.font = cs.font;
      measure.letterSpacing = cs.letterSpacing === 'normal' ? '0px' : cs.letterSpacing;
      const need = measure.measureText(inp.value).width;
      const room = inp.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
      if (need > room + 1 || inp.scrollWidth > inp.clientWidth + 1)
        out.push(`cut text (${where(inp)}): "${inp.value.slice(0, 70)}" in its box ` +
                 `(${Math.round(need)} px in ${Math.round(room)} px)`);
    }
  // Every option of a select box, shown in it once chosen: the widest must fit too.
  for (const root of everyOption ? roots : [])
    for (const box of root.querySelectorAll('[data-testid="stSelectbox"]')) {
      const inp = box.querySelector('input');
      const label = box.querySelector('[data-testid="stWidgetLabel"]');
      if (!inp || !shown(inp)) continue;
      // The options as sent (format_func applied): the props of the React element that
      // draws the box, a level or two above its DOM node.
      const key = Object.keys(box).find(k => k.startsWith('__reactFiber$'));
      let fiber = key && box[key];
      for (let up = 0; fiber && up < 8 && !Array.isArray(fiber.memoizedProps?.element?.options);
           up++) fiber = fiber.return;
      const options = fiber?.memoizedProps?.element?.options;
      if (!Array.isArray(options)) {
        out.push(`select box "${label ? text(label) : ''}": its options could not be read`);
        continue;
      }
      const cs = getComputedStyle(inp);
      measure.font = cs.font;
      measure.letterSpacing = cs.letterSpacing === 'normal' ? '0px' : cs.letterSpacing;
      const room = inp.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
      const widest = options.map(o => [measure.measureText(o).width, o])
        .sort((a, b) => b[0] - a[0])[0];
      if (widest && widest[0] > room + 1)
        out.push(`select box "${label ? text(label) : ''}" (${where(box)}) too narrow for ` +
                 `its option "${widest[1].slice(0, 70)}" (${Math.round(widest[0])} px in ` +
                 `${Math.round(room)} px)`);
    }
  for (const k of document.querySelectorAll('.katex')) {
    if (!shown(k)) continue;
    const box = k.closest('[data-testid="stElementContainer"]') || k.parentElement;
    const right = box.getBoundingClientRect().right;
    const html = k.querySelector('.katex-html') || k;
    // 3 px of slack: KaTeX's bracket glyphs overhang their box by a pixel or two.
    let wide = html.getBoundingClientRect().right > right + 3;
    for (let e = k; e && e !== box; e = e.parentElement)
      if (e.scrollWidth > e.clientWidth + 3 && getComputedStyle(e).overflowX !== 'visible')
        wide = true;
    if (wide) out.push(`formula wider than its box: "${text(html).slice(0, 70)}"`);
  }
  const ctx = document.createElement('canvas').getContext('2d');
  for (const df of document.querySelectorAll('[data-testid="stDataFrame"]')) {
    if (!shown(df)) continue;
    const grid = df.querySelector('.stDataFrameGlideDataEditor');
    const scroller = df.querySelector('.dvn-scroller');
    if (!grid || !scroller) continue;
    const gs = getComputedStyle(grid);
    const pad = parseFloat(gs.getPropertyValue('--gdg-cell-horizontal-padding')) || 8;
    ctx.font = gs.getPropertyValue('--gdg-base-font-style') + ' ' +
      gs.getPropertyValue('--gdg-font-family');
    const widths = {};
    for (const cell of df.querySelectorAll('table [aria-colindex]')) {
      const c = cell.getAttribute('aria-colindex');
      // The grid's hidden accessible table holds a number's raw value (0.0013423335125...),
      // the canvas draws it formatted (0.00134233) in a column sized to it: only text cells
      // and headers are drawn as they are written here.
      if (cell.getAttribute('role') !== 'columnheader' && /^-?[0-9.e+-]+%?$/i.test(text(cell)))
        continue;
      // +2 px: glide's border and rounding; the header also draws a menu icon
      const w = ctx.measureText(text(cell)).width + 2 * pad + 2 +
        (cell.getAttribute('role') === 'columnheader' ? 16 : 0);
      widths[c] = Math.max(widths[c] || 0, w);
    }
    const need = Object.values(widths).reduce((a, b) => a + b, 0);
    const have = scroller.clientWidth;
    if (need > have + 1 || scroller.scrollWidth > scroller.clientWidth + 1) {
      const head = Array.from(df.querySelectorAll('th')).map(text).slice(0, 4).join(', ');
      out.push(`table too narrow for its text (${Math.round(need)} px in ${have} px): ` +
               `columns ${head}…`);
    }
  }
  const doc = document.scrollingElement || document.documentElement;
  if (doc.scrollWidth > window.innerWidth + 1)
    out.push(`page scrolls sideways (${doc.scrollWidth} px wide)`);
  const main = document.querySelector('[data-testid="stMain"]');
  if (main && main.scrollWidth > main.clientWidth + 1)
    out.push(`main area scrolls sideways (${main.scrollWidth} > ${main.clientWidth} px)`);
  for (const ex of document.querySelectorAll('[data-testid="stException"]'))
    out.push(`exception box: ${text(ex).slice(0, 200)}`);
  return out;
}"""

# Is the page done: the script run over, connected, nothing stale, no placeholder or spinner?
READY_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if ((app.getAttribute('data-test-connection-state') || 'CONNECTED') !== 'CONNECTED')
    return false;
  return !document.querySelector('[data-testid="stStatusWidget"], [data-testid="stSkeleton"], ' +
    '[data-stale="true"], [data-testid="stSpinner"]');
}"""

# One round trip per measurement: two animation frames (a resize reflows columns and Plotly),
# then whether the page is ready and, if it is, what is cut off.
# A problem seen right after a resize may be a grid or chart that resizes itself a few frames
# later (on its ResizeObserver): what is still there ~30 frames on is reported.
_CHECK_JS = ("async (everyOption) => {\n"
             "  const frame = () => new Promise(r => requestAnimationFrame(r));\n"
             "  await frame(); await frame();\n"
             "  if (!(" + READY_JS + ")()) return null;\n"
             "  let out = (" + _PROBLEMS_JS + ")(everyOption);\n"
             "  for (let i = 0; i < 30 && out.length; i++) {\n"
             "    await frame(); out = (" + _PROBLEMS_JS + ")(everyOption); }\n"
             "  return out; }")

def wait_ready(page, timeout_ms: int = 240_000) -> None:
    """Wait (in the browser, polling each frame) until READY_JS holds."""
    page.wait_for_function(READY_JS, timeout=timeout_ms, polling="raf")


def layout_problems(page, every_option: bool = False, timeout_ms: int = 240_000) -> list[str]:
    """Return what a student could not read in full on the page as it is now (once ready);
    every_option: also every option of each select box, not only the one shown."""
    while True:
        problems = page.evaluate(_CHECK_JS, every_option)
        if problems is not None:
            return problems
        wait_ready(page, timeout_ms)
