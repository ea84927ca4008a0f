"""Serve a built site from 127.0.0.1 the way GitHub Pages does: text files gzip-compressed.

The site test measures page loads through it; ``python tests/site_server.py DIR`` serves ``DIR``
by hand and prints its address.
"""

from __future__ import annotations

import gzip
import http.server
import sys
import threading
from functools import lru_cache, partial
from pathlib import Path

# What GitHub Pages compresses: text, scripts, styles, SVG and JSON, not images.
COMPRESSED = {".html", ".js", ".css", ".svg", ".json", ".txt", ".xml", ".map", ".inv"}


@lru_cache(maxsize=1024)
def _gzipped(path: Path, mtime: float) -> bytes:
    return gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass

    def send_head(self):  # type: ignore[no-untyped-def]
        path = Path(self.translate_path(self.path))
        if path.is_dir() and self.path.split("?")[0].endswith("/"):
            path = path / "index.html"
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (accepts and path.suffix in COMPRESSED and path.is_file()):
            return super().send_head()  # images, and a folder's redirect to its slash
        body = _gzipped(path, path.stat().st_mtime)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=600")
        self.end_headers()
        return _Body(body)


class _Body:
    """The compressed bytes, as the file-like object ``send_head`` returns."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def read(self, *_: object) -> bytes:
        data, self.data = self.data, b""
        return data

    def close(self) -> None:
        pass


class SiteServer:
    """``with SiteServer(folder) as url:`` serves ``folder`` on a free port until the block ends."""

    def __init__(self, folder: Path) -> None:
        handler = partial(_Handler, directory=str(folder))
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()


if __name__ == "__main__":
    with SiteServer(Path(sys.argv[1])) as address:
        print(address, flush=True)
        threading.Event().wait()
