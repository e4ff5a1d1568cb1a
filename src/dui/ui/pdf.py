"""The one WeasyPrint entry point of the project: HTML (a rendered template) to PDF.

Every print (DLU, fiche de transfert, synthèse, projet personnalisé, cahier de liaison, CDA
bodies) goes through `render` / `render_pdf` so that they share what costs time and never
changes between two documents:

- the print stylesheets are read from the static files and parsed once per process, then
  passed to WeasyPrint as parsed `CSS` objects (the templates carry no `<link>`);
- the font configuration (fontconfig + Pango font map) is built once per thread (Pango
  objects are not shared between threads);
- no network and no local file: every URL is refused, except `data:` images (the photo of
  the synthèse is inlined as a data URI).
"""

from __future__ import annotations

import base64
import functools
import threading
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


def render(html: str, *, stylesheets: tuple[str, ...] = ()) -> Any:
    """The laid-out document (a `weasyprint.Document`: `.pages`, `.write_pdf()`)."""
    from weasyprint import HTML

    return HTML(string=html, url_fetcher=_fetcher()).render(
        stylesheets=[stylesheet(name) for name in stylesheets], font_config=font_config()
    )


def write(document: Any, *, pdf_variant: str | None = None) -> bytes:
    """The PDF of a laid-out document; `pdf_variant="pdf/a-3b"` for an archival PDF/A."""
    options = {"pdf_variant": pdf_variant} if pdf_variant else {}
    return bytes(document.write_pdf(**options))


def render_pdf(
    html: str, *, stylesheets: tuple[str, ...] = (), pdf_variant: str | None = None
) -> bytes:
    """HTML to PDF bytes with our print stylesheets (static paths), no external resource."""
    return write(render(html, stylesheets=stylesheets), pdf_variant=pdf_variant)
