"""The built site, as a reader gets it: links, page weight, and every page in a real browser.

The browser is headless Chromium (Debian's ``chromium``; ``google-chrome`` also works), driven
through the DevTools protocol on 127.0.0.1. Every page of the book is opened from the built
files (``file://``, no server and no network): the test fails on a console error, an uncaught
exception, a failed request or an image that did not load, checks that the search page finds
pages, and writes a screenshot of each page to ``_build/screenshots/1280/``. Opened again at a
phone's width, 390 px, no page may scroll sideways (code blocks, tables and display equations
scroll inside their own boxes); those screenshots go to ``_build/screenshots/390/``.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "_build" / "screenshots"
MAX_PAGE_BYTES = 2 * 1024 * 1024
PHONE_WIDTH = 390
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

pytestmark = pytest.mark.book


class _Links(HTMLParser):
    """The local targets of a page's links, resources and images, and the ids it defines."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.resources: list[str] = []
        self.images: list[str] = []
        self.alts: list[str] = []
        self.icons: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if "id" in values:
            self.ids.add(values["id"])
        if tag == "a" and "href" in values:
            self.links.append(values["href"])
        elif tag == "link" and values.get("rel") in ("stylesheet", "icon") and "href" in values:
            self.resources.append(values["href"])
            if values["rel"] == "icon":
                self.icons.append(values["href"])
        elif tag in ("img", "script") and values.get("src"):
            self.resources.append(values["src"])
            if tag == "img":
                self.images.append(values["src"])
                self.alts.append(values.get("alt", ""))


def parse(page: Path) -> _Links:
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def is_local(url: str) -> bool:
    return not re.match(r"^[a-z][a-z0-9+.-]*:", url) and not url.startswith("//")


def site_pages(html: Path) -> list[Path]:
    """Every page a reader can reach: the book's pages and Sphinx's own (index, search...)."""
    return sorted(p for p in html.rglob("*.html") if p.relative_to(html).parts[0][0] != "_")


def toc_pages() -> list[str]:
    """The root, then every chapter and section of ``_toc.yml``, in reading order."""

    def files(entries: list[dict[str, Any]]) -> list[str]:
        found = []
        for entry in entries:
            found += [entry["file"]] if "file" in entry else []
            found += files(entry.get("chapters", []) + entry.get("sections", []))
        return found

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return [toc["root"], *files(toc.get("parts", []))]


def test_every_local_link_and_anchor_resolves(html):
    broken = []
    ids: dict[Path, set[str]] = {}
    for page in site_pages(html):
        parsed = parse(page)
        for url in parsed.links + parsed.resources:
            if not is_local(url) or url.startswith("javascript:"):
                continue
            parts = urlsplit(url)
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                broken.append(f"{page.relative_to(html)}: {url} (no such file)")
            elif parts.fragment and target.suffix == ".html":
                if target not in ids:
                    ids[target] = parse(target).ids
                if unquote(parts.fragment) not in ids[target]:
                    broken.append(f"{page.relative_to(html)}: {url} (no such anchor)")
    assert broken == []


def page_weight(html: Path, page: Path) -> int:
    """The page's HTML plus its images. (The theme's scripts, styles and MathJax, the same for
    every page, are counted once, by the next test.)"""
    files = {page}
    for url in parse(page).images:
        if is_local(url):
            target = (page.parent / unquote(urlsplit(url).path)).resolve()
            if target.is_file():
                files.add(target)
    return sum(f.stat().st_size for f in files)


def test_every_page_weighs_less_than_2_mb(html):
    weights = {
        page.relative_to(html).as_posix(): page_weight(html, page) for page in site_pages(html)
    }
    heaviest = max(weights, key=weights.__getitem__)
    print(f"heaviest page: {heaviest}, {weights[heaviest] / 1e6:.2f} MB")
    assert {name: w for name, w in weights.items() if w > MAX_PAGE_BYTES} == {}


def says_what_it_shows(alt: str) -> bool:
    """An alt text that describes: words, not a file name or a path."""
    text = alt.strip()
    looks_like_a_file = re.search(r"[/\\]|\.(png|jpe?g|svg|gif|webp)$", text, re.I)
    return len(text.split()) >= 2 and not looks_like_a_file


def test_every_image_has_alt_text_that_says_what_it_shows(html):
    missing = {}
    for name in toc_pages():
        parsed = parse(html / f"{name}.html")
        pairs = zip(parsed.images, parsed.alts, strict=True)
        bad = [src for src, alt in pairs if not says_what_it_shows(alt)]
        if bad:
            missing[name] = bad
    assert missing == {}
    assert not says_what_it_shows("../_images/1972fd1b.png") and not says_what_it_shows("")
    assert says_what_it_shows("The loss falls for ten epochs")


def test_every_figure_opens_at_full_size(html):
    """On a phone a figure is shrunk to the screen; a tap opens its 2x image to zoom in."""
    for name in toc_pages():
        text = (html / f"{name}.html").read_text(encoding="utf-8")
        figures = re.findall(r'<img [^>]*src="\.\./_images/[^>]*style="width: ', text)
        linked = re.findall(r'<a class="figure-zoom" href="\.\./_images/', text)
        assert len(linked) == len(figures), name


def test_the_bibliography_labels_entries_as_the_text_cites_them(html):
    references = (html / "book" / "references.html").read_text(encoding="utf-8")
    labels = re.findall(r'<span class="label"><span class="fn-bracket">\[</span>(.*?)<', references)
    assert "LeCun et al., 1998" in labels and "Zeiler and Fergus, 2014" in labels
    assert all(re.fullmatch(r"\D+, \d{4}[a-z]?", label) for label in labels), labels
    chapter = (html / "book" / "08_lenet_gap_cam.html").read_text(encoding="utf-8")
    assert "LeCun <em>et al.</em>, 1998" in chapter


def test_every_page_serves_a_favicon(html):
    for page in site_pages(html):
        if 'http-equiv="Refresh"' in page.read_text(encoding="utf-8"):
            continue  # index.html only redirects to the introduction
        icons = parse(page).icons
        assert icons, f"{page.relative_to(html)} names no favicon"
        for url in icons:
            assert is_local(url) and (page.parent / unquote(urlsplit(url).path)).is_file(), url


def test_the_shared_assets_are_reported(html):
    """What a first visit loads besides the page itself: the theme, fonts and MathJax."""
    static = html / "_static"
    sizes = {p: p.stat().st_size for p in static.rglob("*") if p.is_file()}
    loaded = set()
    for page in site_pages(html):
        for url in parse(page).resources:
            target = (page.parent / unquote(urlsplit(url).path)).resolve()
            if is_local(url) and target in sizes:
                loaded.add(target)
    print(f"scripts and styles every page shares: {sum(sizes[p] for p in loaded) / 1e6:.2f} MB")
    assert (static / "mathjax" / "tex-chtml.js").is_file(), "MathJax is not served locally"
    for page in site_pages(html):
        text = page.read_text(encoding="utf-8")
        assert "cdn.jsdelivr.net" not in text and "cdnjs.cloudflare.com" not in text, page.name


def test_the_navigation_lists_every_page_of_the_toc(html):
    for page in toc_pages():
        built = html / f"{page}.html"
        assert built.is_file(), page
        navigation = {
            (built.parent / unquote(urlsplit(u).path)).resolve()
            for u in parse(built).links
            if is_local(u) and urlsplit(u).path
        }
        missing = [p for p in toc_pages() if (html / f"{p}.html").resolve() not in navigation]
        assert missing in ([], [page]), f"{page} does not link to {missing}"


class Browser:
    """A headless Chromium tab, driven through the DevTools protocol."""

    def __init__(self, executable: str, profile: Path) -> None:
        import websocket

        self.process = subprocess.Popen(
            [
                executable, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                "--no-first-run", "--disable-extensions", "--allow-file-access-from-files",
                "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
                f"--user-data-dir={profile}", "--window-size=1280,1600", "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not port_file.is_file() or not port_file.read_text().strip():
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError(f"{executable} did not start its DevTools server")
            time.sleep(0.1)
        port = int(port_file.read_text().split()[0])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list") as response:
            targets = json.load(response)
        url = next(t["webSocketDebuggerUrl"] for t in targets if t["type"] == "page")
        self.socket = websocket.create_connection(url, timeout=60, suppress_origin=True)
        self.next_id = 0
        self.events: list[dict[str, Any]] = []
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable")

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return dict(message.get("result", {}))
            self.events.append(message)

    def wait_for(self, event: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not any(e.get("method") == event for e in self.events):
            if time.monotonic() > deadline:
                raise TimeoutError(f"no {event} within {timeout} s")
            self.socket.settimeout(max(deadline - time.monotonic(), 0.01))
            self.events.append(json.loads(self.socket.recv()))
        self.socket.settimeout(60)

    def open(self, url: str, settle: float = 1.5) -> None:
        """Load ``url`` and let its scripts run for ``settle`` seconds more."""
        self.events = []
        self.call("Page.navigate", url=url)
        self.wait_for("Page.loadEventFired", timeout=60)
        self.evaluate(f"new Promise(resolve => setTimeout(resolve, {int(settle * 1000)}))")

    def evaluate(self, expression: str) -> Any:
        result = self.call(
            "Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True
        )
        return result.get("result", {}).get("value")

    def errors(self) -> list[str]:
        """Uncaught exceptions, console.error calls, failed requests and error log entries."""
        found = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.exceptionThrown":
                details = params["exceptionDetails"]
                found.append(details.get("exception", {}).get("description") or details["text"])
            elif method == "Runtime.consoleAPICalled" and params.get("type") == "error":
                found.append(
                    " ".join(str(a.get("value", a.get("description"))) for a in params["args"])
                )
            elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
                entry = params["entry"]
                found.append(f"{entry['text']} ({entry.get('url', '')})")
            elif method == "Network.loadingFailed" and not params.get("canceled"):
                found.append(f"request failed: {params.get('errorText')}")
        return found

    def screenshot(self, path: Path) -> None:
        data = self.call("Page.captureScreenshot", format="png")["data"]
        path.write_bytes(base64.b64decode(data))

    def close(self) -> None:
        self.socket.close()
        self.process.terminate()
        self.process.wait(timeout=30)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    executable = next((found for name in BROWSERS if (found := shutil.which(name))), None)
    if executable is None:
        pytest.fail(
            "the site test needs Chromium: `sudo apt-get install chromium` (Debian/Ubuntu); "
            "`python3 .ci/tasks.py test` installs it when it can"
        )
    opened = Browser(executable, tmp_path_factory.mktemp("chromium"))
    yield opened
    opened.close()


BROKEN_IMAGES = (
    "Array.from(document.images).filter(i => !i.complete || !i.naturalWidth).map(i => i.src)"
)


def test_every_page_loads_cleanly_in_the_browser(html, browser):
    wide = SCREENSHOTS / "1280"
    wide.mkdir(parents=True, exist_ok=True)
    problems = {}
    pages = [html / f"{page}.html" for page in toc_pages()] + [html / "genindex.html"]
    for page in pages:
        browser.open(page.as_uri())
        name = page.relative_to(html).as_posix()
        found = browser.errors() + [
            f"broken image {src}" for src in browser.evaluate(BROKEN_IMAGES)
        ]
        if found:
            problems[name] = found
        title = browser.evaluate("document.title")
        assert title and "Page not found" not in title, name
        browser.screenshot(wide / f"{name.replace('/', '_').removesuffix('.html')}.png")
    assert problems == {}


# Elements that reach past the right edge of the viewport, other than those inside a box that
# scrolls (code blocks, tables and equations do): the reason a page scrolls sideways.
TOO_WIDE = """
(() => {
  const width = document.documentElement.clientWidth;
  const scrolls = el => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(p).overflowX)) return true;
    }
    return false;
  };
  const found = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.width > 0 && box.right > width + 1 && !scrolls(el)) {
      const what = `${el.tagName.toLowerCase()}.${el.classList[0] || ''}`;
      found.push(`${what}: ${el.textContent.slice(0, 60)}`);
    }
  }
  return {width, scrollWidth: document.documentElement.scrollWidth, found: found.slice(-5)};
})()
"""


def test_no_page_scrolls_sideways_on_a_phone(html, browser):
    narrow = SCREENSHOTS / str(PHONE_WIDTH)
    narrow.mkdir(parents=True, exist_ok=True)
    browser.call(
        "Emulation.setDeviceMetricsOverride",
        width=PHONE_WIDTH, height=844, deviceScaleFactor=1, mobile=True,
    )  # fmt: skip
    too_wide = {}
    try:
        for name in toc_pages():
            browser.open((html / f"{name}.html").as_uri(), settle=0.5)
            page = browser.evaluate(TOO_WIDE)
            if page["scrollWidth"] > page["width"]:
                too_wide[name] = f"{page['scrollWidth']} px wide: {page['found']}"
            browser.screenshot(narrow / f"{name.replace('/', '_')}.png")
    finally:
        browser.call("Emulation.clearDeviceMetricsOverride")
    assert too_wide == {}, "\n".join(f"{k}: {v}" for k, v in too_wide.items())


def test_the_search_page_finds_the_chapters(html, browser):
    browser.open((html / "search.html").as_uri() + "?q=convolution", settle=0.5)
    deadline = time.monotonic() + 20
    results: list[str] = []
    while not results and time.monotonic() < deadline:
        results = browser.evaluate(
            "Array.from(document.querySelectorAll('#search-results li a')).map(a => a.href)"
        )
        time.sleep(0.2)
    assert any("01_convolution.html" in url for url in results), results
    assert browser.errors() == []
