"""The one WeasyPrint entry point of the project: HTML (a rendered template) to PDF.

Every print (DLU, fiche de transfert, synthèse, projet personnalisé, cahier de liaison, CDA
bodies) goes through `render` / `render_pdf` so that they share what costs time and never
changes between two documents:

- the print stylesheets are read from the static files and parsed once per process, then
  passed to WeasyPrint as parsed `CSS` objects (the templates carry no `<link>`);
- the font configuration (fontconfig + Pango font map) is built once per thread (Pango
  objects are not shared between threads);
- no network and no local file: every URL is refused, except `data:` images (the photo of
  the synthèse is inlined as a data URI);
- the cyclic garbage collector is paused while a document is laid out or written, then the
  young generation is collected once (`_gc_paused`).
"""

from __future__ import annotations

import base64
import contextlib
import functools
import gc
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.contrib.staticfiles import finders

_local = threading.local()


class RefusedResource(ValueError):
    pass


def _fetcher() -> Any:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class NoExternalResource(URLFetcher):  # type: ignore[misc]
        """Refuses every URL (no network, no local file) except inline images."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith(("data:image/jpeg;base64,", "data:image/png;base64,")):
                kind, payload = url[5:].split(";base64,", 1)
                return URLFetcherResponse(
                    url, body=base64.b64decode(payload), headers={"Content-Type": kind}
                )
            raise RefusedResource(f"Ressource externe refusée dans le PDF : {url[:80]}")

    return NoExternalResource()


def static_path(name: str) -> Path:
    """The file of a static asset (e.g. "dlu/css/dlu-print.css")."""
    found = finders.find(name)
    if not found:
        raise FileNotFoundError(name)
    return Path(found if isinstance(found, str) else found[0])


@functools.cache
def stylesheet(name: str) -> Any:
    """The static stylesheet `name`, parsed once per process (a `weasyprint.CSS`).

    Its `@font-face` rules, if any ever appear, would need the font configuration at parse
    time: the stylesheets we print with only use fonts installed on the machine."""
    from weasyprint import CSS

    return CSS(string=static_path(name).read_text(encoding="utf-8"), url_fetcher=_fetcher())


def font_config() -> Any:
    """This thread's WeasyPrint font configuration (fontconfig matching is cached in it)."""
    config = getattr(_local, "font_config", None)
    if config is None:
        from weasyprint.text.fonts import FontConfiguration

        config = _local.font_config = FontConfiguration()
    return config


_gc_lock = threading.Lock()
_gc_pauses = 0


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while WeasyPrint works. It allocates hundreds of
    thousands of short-lived objects per document, so the collector ran thousands of times
    per DLU, with full collections scanning the whole process: a fifth of the time on
    average and up to 170 ms on one DLU (bench/dlu_bench.py). Its cyclic garbage is freed
    by one young-generation collection at the end. Counted, so that concurrent documents
    in threads leave the collector as they found it."""
    global _gc_pauses
    with _gc_lock:
        mine = _gc_pauses > 0 or gc.isenabled()  # else paused by someone else: theirs
        if mine:
            _gc_pauses += 1
            gc.disable()
    try:
        yield
    finally:
        if mine:
            with _gc_lock:
                _gc_pauses -= 1
                if _gc_pauses == 0:
                    gc.enable()
                    gc.collect(0)


def render(html: str, *, stylesheets: tuple[str, ...] = ()) -> Any:
    """The laid-out document (a `weasyprint.Document`: `.pages`, `.write_pdf()`)."""
    from weasyprint import HTML

    with _gc_paused():
        return HTML(string=html, url_fetcher=_fetcher()).render(
            stylesheets=[stylesheet(name) for name in stylesheets], font_config=font_config()
        )


def write(document: Any, *, pdf_variant: str | None = None) -> bytes:
    """The PDF of a laid-out document; `pdf_variant="pdf/a-3b"` for an archival PDF/A."""
    options = {"pdf_variant": pdf_variant} if pdf_variant else {}
    with _gc_paused():
        return bytes(document.write_pdf(**options))


def render_pdf(
    html: str, *, stylesheets: tuple[str, ...] = (), pdf_variant: str | None = None
) -> bytes:
    """HTML to PDF bytes with our print stylesheets (static paths), no external resource.

    One pause of the collector for both steps: its collection at the end then finds the
    laid-out document already released, and frees its cycles without walking it alive."""
    with _gc_paused():
        return write(render(html, stylesheets=stylesheets), pdf_variant=pdf_variant)
