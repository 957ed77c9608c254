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
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

DEFAULT_MATH_PAGES = ("mathematics/index.html", "reference/index.html")
LINK_ATTRS = {"a": "href", "link": "href", "img": "src", "script": "src", "source": "src",
              "iframe": "src", "object": "data", "embed": "src", "video": "src",
              "audio": "src"}
LOADED_TAGS = {"img", "script", "source", "iframe", "object", "embed", "video", "audio"}
SKIP_TEXT_IN = {"code", "pre", "script", "style", "math", "kbd", "samp", "textarea"}
TEX_LEFT = re.compile(r"\$\$|\$[^\s$][^$]*?\$|\\(?:frac|sum|lfloor|rfloor|left|right|"
                      r"cdot|qquad|operatorname|mathrm|begin|end|le|ge|gamma|tag)\b|CONVSPECMATH")
IMAGE_MAGIC = {b"\x89PNG\r\n\x1a\n": "png", b"\xff\xd8\xff": "jpeg", b"GIF87a": "gif",
               b"GIF89a": "gif"}


@dataclass
class Page:
    """What the static checks need from one HTML file."""

    ids: set[str] = field(default_factory=set)
    links: list[tuple[str, str, str]] = field(default_factory=list)  # (tag, attr, url)
    tex_left: list[str] = field(default_factory=list)
    math_count: int = 0


class _Parser(HTMLParser):
    def __init__(self, page: Page):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.skip_depth: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("id", "name") if tag == "a" else ("id",):
            if attrs.get(key):
                self.page.ids.add(attrs[key])
        if tag == "math":
            self.page.math_count += 1
        wanted = LINK_ATTRS.get(tag)
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
        if tag in self.skip_depth:
            while self.skip_depth and self.skip_depth.pop() != tag:
                pass

    def handle_data(self, data):
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
            if tag == "img":
                if path not in checked_images:
                    checked_images[path] = image_problem(path)
                if checked_images[path]:
                    problems.append(f"{where}: {checked_images[path]}")
        for leftover in sorted(set(page.tex_left)):
            problems.append(f"{rel}: unconverted TeX in the text: {leftover!r}")
    for rel in math_pages:
        if rel not in pages:
            problems.append(f"{rel}: expected a page with formulas, but it does not exist")
        elif pages[rel].math_count == 0:
            problems.append(f"{rel}: expected formulas, found no <math> element")
    return problems


# --- Browser checks -------------------------------------------------------------------

PROBE = """<script>
window.addEventListener("load", function () {
  setTimeout(function () {
    var imgs = Array.from(document.images).map(function (img) {
      return {src: img.getAttribute("src"), ok: img.complete && img.naturalWidth > 0};
    });
    var maths = Array.from(document.querySelectorAll("math"));
    var flat = maths.filter(function (m) {
      var r = m.getBoundingClientRect(); return r.width <= 0 || r.height <= 0;
    }).map(function (m) { return m.getAttribute("alttext") || m.textContent; });
    var out = document.createElement("pre");
    out.id = "convspec-check-result";
    out.textContent = JSON.stringify({
      images: imgs, math: maths.length, flatMath: flat,
      mathml: typeof MathMLElement !== "undefined",
      height: document.documentElement.scrollHeight
    });
    document.body.appendChild(out);
  }, 50);
});
</script>"""

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--hide-scrollbars",
                  "--virtual-time-budget=5000"]


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the site; HTML asked for with ``?probe`` gets :data:`PROBE` injected."""

    def log_message(self, *args):  # keep the output to the problems
        pass

    def send_head(self):
        parts = urlsplit(self.path)
        if parts.query != "probe":
            return super().send_head()
        path = Path(self.translate_path(parts.path))
        if path.is_dir():
            path = path / "index.html"
        try:
            body = path.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>", 1)
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


def chromium(args: list[str], profile: str, timeout: float = 60) -> subprocess.CompletedProcess:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        raise FileNotFoundError("chromium is not installed (Debian: apt-get install chromium)")
    return subprocess.run([exe, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=timeout)


def browser_checks(site: Path, screenshots: Path | None = None, width: int = 1280,
                   max_height: int = 9000) -> list[str]:
    """Render each page in headless Chromium; return the problems seen."""
    site = site.resolve()
    problems: list[str] = []
    server = serve(site)
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        with tempfile.TemporaryDirectory(prefix="convspec-chromium-") as profile:
            for html in sorted(site.rglob("*.html")):
                rel = html.relative_to(site).as_posix()
                url = base + (rel[:-len("index.html")] if rel.endswith("index.html") else rel)
                done = chromium(["--dump-dom", url + "?probe"], profile)
                match = re.search(r'<pre id="convspec-check-result">(.*?)</pre>', done.stdout,
                                  re.DOTALL)
                if match is None:
                    problems.append(f"{rel}: page did not finish loading in Chromium "
                                    f"(exit {done.returncode}): {done.stderr.strip()[-300:]}")
                    continue
                result = json.loads(match.group(1).replace("&lt;", "<").replace("&gt;", ">")
                                    .replace("&quot;", '"').replace("&amp;", "&"))
                for img in result["images"]:
                    if not img["ok"]:
                        problems.append(f"{rel}: image did not load in Chromium: {img['src']}")
                if result["math"] and not result["mathml"]:
                    problems.append(f"{rel}: this Chromium does not support MathML")
                for tex in result["flatMath"]:
                    problems.append(f"{rel}: formula laid out with zero size: {tex!r}")
                rendered = parse_page(done.stdout)
                for leftover in sorted(set(rendered.tex_left)):
                    problems.append(f"{rel}: unconverted TeX after rendering: {leftover!r}")
                if screenshots is not None:
                    screenshots.mkdir(parents=True, exist_ok=True)
                    height = min(max(int(result["height"]), 600), max_height)
                    name = rel.replace("/index.html", "").replace(".html", "") or "home"
                    name = "home" if name == "index" else name.replace("/", "-")
                    shot = chromium([f"--window-size={width},{height}",
                                     f"--screenshot={screenshots.resolve() / (name + '.png')}",
                                     url], profile)
                    if shot.returncode != 0:
                        problems.append(f"{rel}: screenshot failed: {shot.stderr.strip()[-300:]}")
    finally:
        server.shutdown()
        server.server_close()
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", nargs="?", default="site", type=Path,
                        help="the built site folder (default: site)")
    parser.add_argument("--math-page", action="append", dest="math_pages", metavar="PATH",
                        help="a page (relative to the site) that must contain formulas; "
                             f"repeatable (default: {', '.join(DEFAULT_MATH_PAGES)})")
    parser.add_argument("--browser", action="store_true",
                        help="also render every page in headless Chromium")
    parser.add_argument("--screenshots", type=Path, metavar="DIR",
                        help="save a full-page PNG of every page here (implies --browser)")
    parser.add_argument("--width", type=int, default=1280, help="browser window width")
    args = parser.parse_args(argv)
    if not args.site.is_dir():
        print(f"error: {args.site} is not a folder; run `mkdocs build --strict` first",
              file=sys.stderr)
        return 2
    problems = static_checks(args.site, tuple(args.math_pages or DEFAULT_MATH_PAGES))
    if args.browser or args.screenshots:
        try:
            problems += browser_checks(args.site, args.screenshots, args.width)
        except FileNotFoundError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    if problems:
        print(f"{len(problems)} problem(s) in {args.site}:")
        for problem in problems:
            print(f"  - {problem}")
        return 1
    pages = len(list(args.site.rglob("*.html")))
    print(f"ok: {pages} pages checked" + (" (static and in Chromium)" if args.browser or
                                           args.screenshots else " (static)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
