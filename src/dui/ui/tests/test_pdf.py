"""The shared PDF renderer: no external resource, print stylesheets applied and parsed once,
one font configuration per thread, PDF/A on request."""

from __future__ import annotations

import base64
import threading

import pytest

from dui.interop.cda.pdf import niveau_pdfa
from dui.ui import pdf

# 1×1 transparent PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org/logo.png",
        "https://fonts.example/f.woff2",
        "file:///etc/passwd",
        "dui-static:dlu/css/dlu-print.css",
    ],
)
def test_every_url_is_refused(url):
    with pytest.raises(ValueError, match="refusée"):
        pdf._fetcher().fetch(url)


def test_inline_images_are_served():
    url = "data:image/png;base64," + base64.b64encode(PNG).decode()
    assert pdf._fetcher().fetch(url).read() == PNG


def test_the_print_stylesheet_applies_and_is_parsed_once():
    html = "<html lang='fr'><body><p>Texte</p></body></html>"
    plain = pdf.render(html)
    styled = pdf.render(html, stylesheets=("dlu/css/dlu-print.css",))
    # dlu-print.css sets 10 mm side margins (WeasyPrint's default is 75 px).
    assert round(styled.pages[0]._page_box.margin_left) == round(10 / 25.4 * 96)
    assert round(plain.pages[0]._page_box.margin_left) == 75
    assert pdf.stylesheet("dlu/css/dlu-print.css") is pdf.stylesheet("dlu/css/dlu-print.css")


def test_unknown_stylesheet_is_an_error():
    with pytest.raises(FileNotFoundError):
        pdf.render_pdf("<p>x</p>", stylesheets=("absent/print.css",))


def test_font_configuration_is_kept_per_thread():
    other = []
    thread = threading.Thread(target=lambda: other.append(pdf.font_config()))
    thread.start()
    thread.join()
    assert pdf.font_config() is pdf.font_config()
    assert other[0] is not pdf.font_config()


def test_pdf_variant():
    html = "<html lang='fr'><head><title>Essai</title></head><body><p>Texte</p></body></html>"
    assert pdf.render_pdf(html).startswith(b"%PDF")
    assert niveau_pdfa(pdf.render_pdf(html)) == ""
    assert niveau_pdfa(pdf.render_pdf(html, pdf_variant="pdf/a-3b")) == "3B"
