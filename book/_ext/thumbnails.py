"""The front page's pictures, taken from the chapters' own stored figures at
build time.

Each chapter marks one figure cell with the tag ``book-thumbnail``: its
picture, shrunk to :data:`THUMB_WIDTH` pixels, becomes the chapter's card on
the front page. One cell of the book carries ``book-front``: its picture, as
stored, opens the front page. The files are written to
``book/images/generated/`` (not in git) before Sphinx reads the pages, so the
front page always shows what the committed notebooks show. A chapter without
its thumbnail, or a tagged cell without a picture, is a build warning (an error
under ``-W``).
"""

from __future__ import annotations

import base64
import io
import json
import re
import shutil
from pathlib import Path
from typing import Any

from PIL import Image
from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

THUMB_WIDTH = 480  # pixels: a card about 240 px wide on a 2x screen
#: The front figure's widths: a wide screen at 2x, and a phone (390-412 CSS px
#: at 1.75-2x) that would otherwise download twice the pixels it shows.
FRONT_WIDTH = 1380
FRONT_PHONE_WIDTH = 720
OUTPUT = Path("book") / "images" / "generated"


def tagged_picture(notebook: Path, tag: str) -> bytes | None:
    """The PNG or JPEG bytes of the picture of the cell tagged ``tag``."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    for cell in cells:
        if tag in cell.get("metadata", {}).get("tags", []):
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                for mime in ("image/jpeg", "image/png"):
                    if mime in data:
                        text = data[mime]
                        return base64.b64decode(
                            "".join(text) if isinstance(text, list) else text
                        )
            logger.warning(
                f"{notebook.name}: the cell tagged {tag} shows no picture"
            )
            return None
    return None


def thumbnail(picture: bytes, width: int = THUMB_WIDTH) -> bytes:
    """``picture`` shrunk to ``width`` pixels (never enlarged), as JPEG."""
    with Image.open(io.BytesIO(picture)) as image:
        rgba = image.convert("RGBA")
    canvas = Image.new("RGB", rgba.size, "white")
    canvas.paste(rgba, mask=rgba.getchannel("A"))
    if canvas.width > width:
        canvas = canvas.resize(
            (width, round(canvas.height * width / canvas.width)), Image.LANCZOS
        )
    out = io.BytesIO()
    canvas.save(out, format="JPEG", quality=82, optimize=True)
    return out.getvalue()


def write_if_changed(path: Path, data: bytes) -> None:
    if not path.is_file() or path.read_bytes() != data:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def make_pictures(app: Sphinx) -> None:
    root = Path(app.srcdir)
    out = root / OUTPUT
    front = None
    for notebook in sorted((root / "book").glob("[0-9][0-9]_*.ipynb")):
        picture = tagged_picture(notebook, "book-thumbnail")
        if picture is None:
            logger.warning(f"{notebook.name}: no cell is tagged book-thumbnail")
        else:
            write_if_changed(out / f"{notebook.stem}.jpg", thumbnail(picture))
        front = front or tagged_picture(notebook, "book-front")
    if front is None:
        logger.warning(
            "no cell of the book is tagged book-front (the front page's figure)"
        )
    else:
        write_if_changed(out / "front.jpg", thumbnail(front, width=FRONT_WIDTH))
        write_if_changed(
            out / "front-phone.jpg", thumbnail(front, width=phone_width(front))
        )


def phone_width(picture: bytes) -> int:
    """The width of the phone's front picture: at most
    :data:`FRONT_PHONE_WIDTH`, and one whose height is a whole number of pixels
    at the wide picture's proportions, so that the figure is exactly as tall
    whichever of the two the browser shows."""
    with Image.open(io.BytesIO(picture)) as image:
        width, height = image.size
    if width > FRONT_WIDTH:
        width, height = FRONT_WIDTH, round(height * FRONT_WIDTH / width)
    for candidate in range(FRONT_PHONE_WIDTH, FRONT_PHONE_WIDTH // 2, -1):
        if candidate * height % width == 0:
            return candidate
    return FRONT_PHONE_WIDTH


_FRONT = re.compile(r'<img ([^>]*)src="([^"]*/_images/)front\.jpg"')


def offer_phone_picture(app: Sphinx, exception: Exception | None) -> None:
    """The front page's figure with a phone's picture beside the wide one
    (``srcset``): the browser takes the smaller picture where that is as
    sharp as the screen shows it (a phone: the column is the screen less 48
    px), and the 1,380-pixel one elsewhere."""
    if exception is not None or app.builder.name != "html":
        return
    outdir = Path(app.outdir)
    phone = Path(app.srcdir) / OUTPUT / "front-phone.jpg"
    if not phone.is_file():
        return
    with Image.open(phone) as picture:
        phone_px = picture.width
    (outdir / "_images").mkdir(exist_ok=True)
    shutil.copyfile(phone, outdir / "_images" / phone.name)
    for page in outdir.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        if "front.jpg" not in text or "front-phone.jpg" in text:
            continue
        new = _FRONT.sub(
            lambda m: (
                f'<img {m.group(1)}src="{m.group(2)}front.jpg" '
                f'srcset="{m.group(2)}front-phone.jpg {phone_px}w, '
                f'{m.group(2)}front.jpg {FRONT_WIDTH}w" '
                'sizes="(max-width: 960px) calc(100vw - 48px), 800px"'
            ),
            text,
        )
        if new != text:
            page.write_text(new, encoding="utf-8")


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("builder-inited", make_pictures)
    app.connect("build-finished", offer_phone_picture)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
