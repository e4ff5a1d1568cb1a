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


def test_the_collector_is_paused_during_a_document_and_enabled_after():
    import gc

    seen = []
    gc.callbacks.append(lambda phase, info: seen.append(phase))
    try:
        assert gc.isenabled()
        document = pdf.render("<p>" + "Texte " * 2000 + "</p>")
        assert gc.isenabled() and pdf.write(document).startswith(b"%PDF")
        assert pdf.render_pdf("<p>Autre</p>").startswith(b"%PDF")
        assert gc.isenabled()
    finally:
        gc.callbacks.pop()
    # One young-generation collection after each document, none while laying it out.
    assert 1 <= seen.count("start") <= 5  # unpaused: dozens for this text


def test_a_collector_paused_by_the_caller_stays_paused():
    import gc

    gc.disable()
    try:
        assert pdf.render_pdf("<p>Texte</p>").startswith(b"%PDF")
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_concurrent_documents_leave_the_collector_enabled():
    import gc

    errors = []

    def work():
        try:
            for _ in range(3):
                pdf.render_pdf("<p>" + "Texte " * 300 + "</p>")
        except Exception as exc:  # noqa: BLE001 — reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and gc.isenabled()
