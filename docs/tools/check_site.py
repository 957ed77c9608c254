#!/usr/bin/env python3
"""Check the built documentation site the way a reader's browser would see it.

Static checks (always; need only the built ``site/`` folder):

* every internal link (``href``/``src``) resolves to a file in the site, and
  every ``#fragment`` to an element id in the target page;
* every image exists and is a valid SVG, PNG, JPEG, GIF or WebP file;
* nothing is loaded from another host (scripts, styles, images, frames, fonts):
  the site must work offline;
* no TeX is left unconverted in the text (``$...$``, ``$$``, ``\\frac`` ...), and
  each page named by ``--math-page`` contains ``<math>`` elements.

Browser checks (``--browser``): serve the site on 127.0.0.1, open every page in
headless Chromium with a small script injected after load, and check that every
image decoded (``naturalWidth > 0``) and every formula was laid out with a
non-zero size.  ``--screenshots DIR`` also saves a PNG of each page.

Exit status: 0 when everything passes, 1 with a list of problems otherwise,
2 on a usage error (no site, no Chromium).

    mkdocs build --strict && python docs/tools/check_site.py --browser --screenshots shots/
"""

from __future__ import annotations

import argparse
import functools
import http.server
import io
import json
import posixpath
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from html import escape as html_escape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

DEFAULT_MATH_PAGES = ("mathematics.html", "reference.html")
LINK_ATTRS = {"a": "href", "link": "href", "img": "src", "script": "src", "source": "src",
              "iframe": "src", "object": "data", "embed": "src", "video": "src",
              "audio": "src"}
LOADED_TAGS = {"img", "script", "source", "iframe", "object", "embed", "video", "audio"}
SKIP_TEXT_IN = {"code", "pre", "script", "style", "math", "kbd", "samp", "textarea"}
TEX_LEFT = re.compile(r"\$\$|\$[^\s$][^$]*?\$|\\(?:frac|sum|lfloor|rfloor|left|right|"
                      r"cdot|qquad|operatorname|mathrm|begin|end|le|ge|gamma|tag)\b|CONVSPECMATH")
BARS = {"|", "\u2016"}
"""Vertical bars: without an explicit form, a browser takes one inside a row as infix."""
IMAGE_MAGIC = {b"\x89PNG\r\n\x1a\n": "png", b"\xff\xd8\xff": "jpeg", b"GIF87a": "gif",
               b"GIF89a": "gif"}


@dataclass
class Page:
    """What the static checks need from one HTML file."""

    ids: set[str] = field(default_factory=set)
    links: list[tuple[str, str, str]] = field(default_factory=list)  # (tag, attr, url)
    tex_left: list[str] = field(default_factory=list)
    math_count: int = 0
    bare_bars: list[str] = field(default_factory=list)  # alttext of formulas holding them


class _Parser(HTMLParser):
    def __init__(self, page: Page):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.skip_depth: list[str] = []
        self.math_alt = ""
        self.mo_attrs: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "math":
            self.math_alt = attrs.get("alttext") or ""
        if tag == "mo":
            self.mo_attrs = attrs
        for key in ("id", "name") if tag == "a" else ("id",):
            if attrs.get(key):
                self.page.ids.add(attrs[key])
        if tag == "math":
            self.page.math_count += 1
        wanted = LINK_ATTRS.get(tag)
        if tag == "source" and attrs.get("srcset") and not attrs.get("src"):
            wanted = "srcset"
            attrs["srcset"] = attrs["srcset"].split(",")[0].split()[0]
        if wanted and attrs.get(wanted):
            rel = (attrs.get("rel") or "").split()
            kind = "load" if tag in LOADED_TAGS or (tag == "link" and not
                                                    {"canonical", "alternate"} & set(rel)) \
                else "link"
            self.page.links.append((tag, kind, attrs[wanted]))
        if tag in SKIP_TEXT_IN:
            self.skip_depth.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in SKIP_TEXT_IN and self.skip_depth and self.skip_depth[-1] == tag:
            self.skip_depth.pop()

    def handle_endtag(self, tag):
        if tag == "mo":
            self.mo_attrs = None
        if tag in self.skip_depth:
            while self.skip_depth and self.skip_depth.pop() != tag:
                pass

    def handle_data(self, data):
        if self.mo_attrs is not None and data.strip() in BARS and "form" not in self.mo_attrs:
            self.page.bare_bars.append(self.math_alt or data)
        if not self.skip_depth:
            self.page.tex_left += [m.group(0) for m in TEX_LEFT.finditer(data)]


def parse_page(text: str) -> Page:
    page = Page()
    parser = _Parser(page)
    parser.feed(text)
    parser.close()
    return page


def image_problem(path: Path) -> str | None:
    """None when ``path`` is a valid image, else what is wrong with it."""
    data = path.read_bytes()
    if path.suffix.lower() == ".svg":
        try:
            root = ET.fromstring(data)
        except ET.ParseError as exc:
            return f"invalid SVG: {exc}"
        if root.tag != "{http://www.w3.org/2000/svg}svg":
            return f"root element is {root.tag}, not an SVG svg element"
        if not (root.get("viewBox") or (root.get("width") and root.get("height"))):
            return "SVG has neither viewBox nor width and height"
        return None
    if any(data.startswith(magic) for magic in IMAGE_MAGIC):
        return None if len(data) > 32 else "truncated image"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return None
    return "not a recognised image format"


def resolve(site: Path, page_rel: str, url: str) -> tuple[Path, str] | None:
    """The file and fragment an internal URL points to; None for external URLs."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or url.startswith("//"):
        return None
    path = unquote(parts.path)
    if not path:
        target = page_rel
    elif path.startswith("/"):
        target = path.lstrip("/")
    else:
        target = posixpath.normpath(posixpath.join(posixpath.dirname(page_rel), path))
    if target in ("", "."):
        target = "index.html"
    full = site / target
    if path.endswith("/") or full.is_dir():
        full = full / "index.html"
    return full, unquote(parts.fragment)


def static_checks(site: Path, math_pages=DEFAULT_MATH_PAGES) -> list[str]:
    """All problems found by reading the built files; empty when the site is sound."""
    site = site.resolve()
    pages = {p.relative_to(site).as_posix(): parse_page(p.read_text(encoding="utf-8"))
             for p in sorted(site.rglob("*.html"))}
    problems: list[str] = []
    if not pages:
        return [f"{site}: no HTML pages (build the site first)"]
    checked_images: dict[Path, str | None] = {}
    for rel, page in pages.items():
        for tag, kind, url in page.links:
            where = f"{rel}: <{tag}> {url}"
            if url.startswith(("mailto:", "tel:", "javascript:", "data:")):
                continue
            target = resolve(site, rel, url)
            if target is None:
                if kind == "load":
                    problems.append(f"{where}: loads a resource from another host")
                continue
            path, fragment = target
            if not path.is_file():
                problems.append(f"{where}: no such file {path.relative_to(site)}")
                continue
            if fragment and path.suffix == ".html":
                ids = pages[path.relative_to(site).as_posix()].ids
                if fragment not in ids:
                    problems.append(f"{where}: no element with id {fragment!r} in "
                                    f"{path.relative_to(site)}")
            if tag in ("img", "source"):
                if path not in checked_images:
                    checked_images[path] = image_problem(path)
                if checked_images[path]:
                    problems.append(f"{where}: {checked_images[path]}")
        for leftover in sorted(set(page.tex_left)):
            problems.append(f"{rel}: unconverted TeX in the text: {leftover!r}")
        for alt in sorted(set(page.bare_bars)):
            problems.append(f"{rel}: a bar in {alt!r} has no form (prefix or postfix), so it "
                            "is drawn as an infix operator")
    for rel in math_pages:
        if rel not in pages:
            problems.append(f"{rel}: expected a page with formulas, but it does not exist")
        elif pages[rel].math_count == 0:
            problems.append(f"{rel}: expected formulas, found no <math> element")
    return problems


# --- Browser checks -------------------------------------------------------------------

# Runs in the page after it loaded; writes what it measured as JSON into a <pre>.
PROBE = """<script>
window.addEventListener("load", function () {
  setTimeout(function () {
    function describe(el) {
      var name = el.tagName.toLowerCase();
      if (el.id) name += "#" + el.id;
      if (el.classList.length) name += "." + Array.from(el.classList).join(".");
      var text = (el.getAttribute("alttext") || el.textContent || el.getAttribute("src") || "");
      return name + " \\u201c" + text.replace(/\\s+/g, " ").trim().slice(0, 60) + "\\u201d";
    }
    function scrolls(el) {
      var s = getComputedStyle(el).overflowX;
      return s === "auto" || s === "scroll" || s === "hidden" || s === "clip";
    }
    var root = document.querySelector(".md-content") || document.body;
    var vw = document.documentElement.clientWidth;
    var imgs = Array.from(document.images).map(function (img) {
      return {src: img.getAttribute("src"), current: img.currentSrc,
              ok: img.complete && img.naturalWidth > 0,
              width: img.getBoundingClientRect().width, natural: img.naturalWidth};
    });
    var maths = Array.from(document.querySelectorAll("math"));
    var flat = maths.filter(function (m) {
      var r = m.getBoundingClientRect(); return r.width <= 0 || r.height <= 0;
    }).map(function (m) { return m.getAttribute("alttext") || m.textContent; });
    /* Content sticking out of the page on the right (no scrolling box around it). */
    var overflow = [];
    root.querySelectorAll("*").forEach(function (el) {
      var r = el.getBoundingClientRect();
      if (r.width === 0 || r.right <= vw + 1 || overflow.length >= 8) return;
      for (var up = el.parentElement; up && up !== root; up = up.parentElement)
        if (scrolls(up)) return;
      overflow.push(describe(el));
    });
    /* Boxes whose content is wider than the box: cut off, or needing a sideways scroll. */
    var clipped = [];
    root.querySelectorAll("*").forEach(function (el) {
      if (!scrolls(el) || el.scrollWidth <= el.clientWidth + 1) return;
      if (el.closest("pre") || el.closest(".cs-wide")) return;  /* code, opted-in tables */
      clipped.push({what: describe(el), math: el.classList.contains("math-display"),
                    by: el.scrollWidth - el.clientWidth});
    });
    /* Text drawn over text: boxes that intersect without one holding the other. */
    var boxes = Array.from(root.querySelectorAll(
        "math, .math-tag, img, h1, h2, h3, h4, figcaption, td, th, p, li, summary"))
      .map(function (el) { return {el: el, r: el.getBoundingClientRect()}; })
      .filter(function (b) {
        var seen = b.el.checkVisibility ? b.el.checkVisibility({contentVisibilityAuto: true,
                                                                visibilityProperty: true}) : true;
        return seen && b.r.width > 0 && b.r.height > 0;
      })
      .sort(function (a, b) { return a.r.top - b.r.top; });
    var overlaps = [], active = [];
    boxes.forEach(function (b) {
      active = active.filter(function (a) { return a.r.bottom > b.r.top + 2; });
      active.forEach(function (a) {
        if (overlaps.length >= 8) return;
        var w = Math.min(a.r.right, b.r.right) - Math.max(a.r.left, b.r.left);
        var h = Math.min(a.r.bottom, b.r.bottom) - Math.max(a.r.top, b.r.top);
        if (w > 2 && h > 2 && !a.el.contains(b.el) && !b.el.contains(a.el))
          overlaps.push([describe(a.el), describe(b.el)]);
      });
      active.push(b);
    });
    var out = document.createElement("pre");
    out.id = "convspec-check-result";
    out.textContent = JSON.stringify({
      images: imgs, math: maths.length, flatMath: flat,
      mathml: typeof MathMLElement !== "undefined",
      height: document.documentElement.scrollHeight,
      width: vw, scrollWidth: document.documentElement.scrollWidth,
      overflow: overflow, clipped: clipped, overlaps: overlaps
    });
    document.body.appendChild(out);
  }, 50);
});
</script>"""

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--hide-scrollbars",
                  "--virtual-time-budget=5000"]
DARK = """<script>
/* Choose the dark palette the way a reader does: with the theme's own toggle. */
window.addEventListener("load", function () {
  var toggle = document.querySelector('input[data-md-color-scheme="slate"]');
  if (toggle) toggle.click();
  else document.body.setAttribute("data-md-color-scheme", "slate");
});
</script>"""
"""Injected for ``?dark``: the page as a reader who chose the dark palette sees it."""

MIN_FIGURE_TEXT_PX = 9.0
"""Smallest size, in CSS pixels, that text inside a figure may be drawn at."""
MAX_PAGE_HEIGHT = 14000
"""Tallest page accepted at the first (desktop) width; taller pages should be split."""
SCREENSHOT_LIMIT = 60000
"""Tallest screenshot taken; a page taller than this would be cut off."""


FRAME = """<!doctype html><html><head><meta charset="utf-8"></head>
<body style="margin:0;background:#fff">
<iframe id="page" src="{src}" style="border:0;display:block;width:{width}px;height:{height}px">
</iframe>
<script>
/* Headless Chromium will not open a window narrower than 500 px, so narrow widths
   are rendered in a frame of that width; the page's media queries see the frame. */
(function wait() {{
  try {{
    var found = document.getElementById("page").contentDocument
      .getElementById("convspec-check-result");
    if (found) {{
      var out = document.createElement("pre");
      out.id = "convspec-check-result";
      out.textContent = found.textContent;
      document.body.appendChild(out);
      return;
    }}
  }} catch (e) {{}}
  setTimeout(wait, 50);
}})();
</script></body></html>"""
MIN_WINDOW = 500
"""Narrowest window headless Chromium lays out; narrower widths use :data:`FRAME`."""


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the site; HTML asked for with ``?probe`` gets :data:`PROBE` injected,
    ``?dark`` the dark palette, and ``/__frame__?...`` is :data:`FRAME`."""

    def log_message(self, *args):  # keep the output to the problems
        pass

    def send_head(self):
        parts = urlsplit(self.path)
        if parts.path == "/__frame__":
            from urllib.parse import parse_qs
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            data = FRAME.format(src=html_escape(query["src"]), width=int(query["width"]),
                                height=int(query["height"])).encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            return io.BytesIO(data)
        inject = {"probe": PROBE, "dark": DARK}.get(parts.query)
        if inject is None:
            return super().send_head()
        path = Path(self.translate_path(parts.path))
        if path.is_dir():
            path = path / "index.html"
        try:
            body = path.read_text(encoding="utf-8")
            body = body.replace("</body>", inject + "</body>", 1) if inject == PROBE else \
                body.replace("</head>", inject + "</head>", 1)
        except OSError:
            self.send_error(404)
            return None
        data = body.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        return io.BytesIO(data)


def serve(site: Path) -> http.server.ThreadingHTTPServer:
    handler = functools.partial(_Handler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def chromium(args: list[str], profile: str, timeout: float = 90) -> subprocess.CompletedProcess:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        raise FileNotFoundError("chromium is not installed (Debian: apt-get install chromium)")
    return subprocess.run([exe, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=timeout)


_FONT_SIZE = re.compile(r'font-size(?:="|:\s*)([0-9.]+)')


def smallest_text(svg_path: Path) -> float | None:
    """The smallest font size written in an SVG file (user units), or None."""
    sizes = [float(v) for v in _FONT_SIZE.findall(svg_path.read_text(encoding="utf-8"))]
    return min(sizes) if sizes else None


def judge(rel: str, result: dict, width: int, site: Path | None = None,
          max_height: int | None = MAX_PAGE_HEIGHT) -> list[str]:
    """The problems in what :data:`PROBE` measured on page ``rel`` at ``width`` pixels."""
    at = f"{rel} at {width} px"
    problems = []
    for img in result["images"]:
        if not img["ok"]:
            problems.append(f"{at}: image did not load in Chromium: {img['src']}")
            continue
        source = urlsplit(img.get("current") or img["src"]).path
        if site is not None and source.endswith(".svg") and img.get("natural"):
            target = resolve(site, rel, source)
            if target and target[0].is_file():
                smallest = smallest_text(target[0])
                scale = img["width"] / img["natural"]
                if smallest and smallest * scale < MIN_FIGURE_TEXT_PX:
                    problems.append(f"{at}: text in {img['src']} is drawn at "
                                    f"{smallest * scale:.1f} px (smallest allowed "
                                    f"{MIN_FIGURE_TEXT_PX:g} px)")
    if result["math"] and not result["mathml"]:
        problems.append(f"{at}: this Chromium does not support MathML")
    for tex in result["flatMath"]:
        problems.append(f"{at}: formula laid out with zero size: {tex!r}")
    if result.get("scrollWidth", 0) > result.get("width", 0) + 1:
        problems.append(f"{at}: the page scrolls sideways ({result['scrollWidth']} px wide): "
                        + "; ".join(result.get("overflow", [])[:3]))
    for box in result.get("clipped", []):
        what = "formula" if box["math"] else "content"
        problems.append(f"{at}: {what} wider than its column by {box['by']} px, cut off or "
                        f"scrolled sideways: {box['what']}")
    for first, second in result.get("overlaps", []):
        problems.append(f"{at}: text drawn over text: {first} and {second}")
    if max_height and result["height"] > max_height:
        problems.append(f"{at}: page is {result['height']} px tall (limit {max_height}): "
                        "split it, or let long parts collapse")
    return problems


def _decode_result(dom: str) -> dict | None:
    match = re.search(r'<pre id="convspec-check-result">(.*?)</pre>', dom, re.DOTALL)
    if match is None:
        return None
    return json.loads(match.group(1).replace("&lt;", "<").replace("&gt;", ">")
                      .replace("&quot;", '"').replace("&amp;", "&"))


def browser_checks(site: Path, screenshots: Path | None = None, widths=(1280, 390),
                   dark: bool = False, max_height: int = MAX_PAGE_HEIGHT,
                   heights: dict | None = None) -> list[str]:
    """Render each page in headless Chromium at each width; return the problems seen.

    ``heights``, when given, is filled with ``{(page, width): height}``.
    """
    site = site.resolve()
    problems: list[str] = []
    server = serve(site)
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    palettes = [("light", "")] + ([("dark", "?dark")] if dark else [])
    try:
        # The theme remembers a palette chosen with its toggle; the dark screenshots
        # get a browser profile of their own, so the light ones stay light.
        with tempfile.TemporaryDirectory(prefix="convspec-chromium-") as profile, \
                tempfile.TemporaryDirectory(prefix="convspec-chromium-dark-") as dark_profile:
            for html in sorted(site.rglob("*.html")):
                rel = html.relative_to(site).as_posix()
                url = base + (rel[:-len("index.html")] if rel.endswith("index.html") else rel)
                for n, width in enumerate(widths):
                    def at(query: str, height: int) -> tuple[str, str]:
                        """The URL to open and the window size, for this width."""
                        if width >= MIN_WINDOW:
                            return url + query, f"--window-size={width},{height}"
                        framed = (f"{base}__frame__?src={quote(url + query)}&width={width}"
                                  f"&height={height}")
                        return framed, f"--window-size={MIN_WINDOW},{height}"
                    target, window = at("?probe", 900)
                    done = chromium([window, "--dump-dom", target], profile)
                    result = _decode_result(done.stdout)
                    if result is None:
                        problems.append(f"{rel}: page did not finish loading in Chromium "
                                        f"(exit {done.returncode}): {done.stderr.strip()[-300:]}")
                        break
                    if heights is not None:
                        heights[(rel, width)] = result["height"]
                    problems += judge(rel, result, width, site, max_height if n == 0 else None)
                    rendered = parse_page(done.stdout)
                    for leftover in sorted(set(rendered.tex_left)):
                        problems.append(f"{rel}: unconverted TeX after rendering: {leftover!r}")
                    if screenshots is None:
                        continue
                    screenshots.mkdir(parents=True, exist_ok=True)
                    height = max(int(result["height"]), 600)
                    if height > SCREENSHOT_LIMIT:
                        problems.append(f"{rel} at {width} px: page is {height} px tall; the "
                                        f"screenshot stops at {SCREENSHOT_LIMIT} px")
                        height = SCREENSHOT_LIMIT
                    name = rel[:-len(".html")].replace("/index", "").replace("/", "-")
                    name = "home" if name == "index" else name
                    for palette, query in palettes:
                        shot = screenshots.resolve() / f"{name}-{width}-{palette}.png"
                        target, window = at(query, height)
                        done = chromium([window, f"--screenshot={shot}", target],
                                        dark_profile if query else profile)
                        if done.returncode != 0:
                            problems.append(f"{rel}: screenshot failed: "
                                            f"{done.stderr.strip()[-300:]}")
    finally:
        server.shutdown()
        server.server_close()
    return problems


def command_checks(docs: Path, include_slow: bool = True) -> list[str]:
    """Run every shell command the pages show, on the files the pages ask readers to save."""
    sys.path.insert(0, str(docs / "hooks"))
    try:
        from convspec_docs import commands
    finally:
        sys.path.pop(0)
    return commands.check_pages(docs, include_slow=include_slow)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", nargs="?", default="site", type=Path,
                        help="the built site folder (default: site)")
    parser.add_argument("--math-page", action="append", dest="math_pages", metavar="PATH",
                        help="a page (relative to the site) that must contain formulas; "
                             f"repeatable (default: {', '.join(DEFAULT_MATH_PAGES)})")
    parser.add_argument("--browser", action="store_true",
                        help="also render every page in headless Chromium, and run the "
                             "commands the pages show (see --commands)")
    parser.add_argument("--screenshots", type=Path, metavar="DIR",
                        help="save a full-page PNG of every page at every width here "
                             "(implies --browser)")
    parser.add_argument("--dark", action="store_true",
                        help="with --screenshots, also take each screenshot in the dark palette")
    parser.add_argument("--widths", default="1280,390",
                        help="browser window widths, comma separated; the first is the "
                             "desktop width the page-height limit applies to (default: 1280,390)")
    parser.add_argument("--max-height", type=int, default=MAX_PAGE_HEIGHT,
                        help=f"tallest page accepted at the first width (default: {MAX_PAGE_HEIGHT})")
    parser.add_argument("--commands", action="store_true",
                        help="run every shell command shown on the pages, in a fresh folder "
                             "holding the files the page asks the reader to save")
    parser.add_argument("--docs", type=Path, default=Path(__file__).resolve().parents[1],
                        help="the Markdown sources, for --commands (default: this docs folder)")
    parser.add_argument("--heights", action="store_true",
                        help="print the rendered height of every page at every width")
    args = parser.parse_args(argv)
    if not args.site.is_dir():
        print(f"error: {args.site} is not a folder; run `mkdocs build --strict` first",
              file=sys.stderr)
        return 2
    problems = static_checks(args.site, tuple(args.math_pages or DEFAULT_MATH_PAGES))
    browser = args.browser or args.screenshots
    heights: dict = {}
    if browser:
        widths = tuple(int(w) for w in args.widths.split(","))
        try:
            problems += browser_checks(args.site, args.screenshots, widths, args.dark,
                                       args.max_height, heights)
        except FileNotFoundError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    if args.commands or browser:
        problems += command_checks(args.docs)
    if args.heights:
        for (rel, width), height in sorted(heights.items()):
            print(f"{height:7d} px  {rel} at {width} px")
    if problems:
        print(f"{len(problems)} problem(s) in {args.site}:")
        for problem in problems:
            print(f"  - {problem}")
        return 1
    pages = len(list(args.site.rglob("*.html")))
    print(f"ok: {pages} pages checked" + (" (static, in Chromium, commands)" if browser else
                                           " (static, commands)" if args.commands
                                           else " (static)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
