"""The one outbound HTTP helper of the national-service clients.

Timeouts, TLS with the structure's certificate (mutual TLS), and logging without personal
data live here, so every client behaves the same. Standard library only: the clients need
nothing more than a POST.
"""

from __future__ import annotations

import logging
import ssl
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field

logger = logging.getLogger("dui.interop")


class ServiceUnavailable(Exception):
    """The remote service could not be reached or answered with a server error: retry later."""


@dataclass(frozen=True)
class Endpoint:
    url: str
    cert_file: str = ""  # client certificate (PEM) for mutual TLS
    key_file: str = ""
    ca_file: str = ""  # trust anchors of the remote service; system store if empty
    timeout_seconds: float = 15.0


@dataclass
class Response:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def _ssl_context(endpoint: Endpoint) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=endpoint.ca_file or None)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if endpoint.cert_file:
        context.load_cert_chain(endpoint.cert_file, endpoint.key_file or None)
    return context


def post(endpoint: Endpoint, body: bytes, *, content_type: str, service: str) -> Response:
    """POST `body`; return the response whatever its status, raise ServiceUnavailable when
    the service cannot be reached or answers 5xx without a body worth parsing."""
    request = urllib.request.Request(  # noqa: S310 - URL comes from configuration
        endpoint.url, data=body, method="POST", headers={"Content-Type": content_type}
    )
    context = _ssl_context(endpoint) if endpoint.url.startswith("https:") else None
    started = time.monotonic()
    try:
        with urllib.request.urlopen(  # noqa: S310
            request, timeout=endpoint.timeout_seconds, context=context
        ) as raw:
            response = Response(raw.status, raw.read(), dict(raw.headers.items()))
    except urllib.error.HTTPError as exc:
        response = Response(exc.code, exc.read(), dict(exc.headers.items()))
    except (urllib.error.URLError, TimeoutError, ConnectionError, ssl.SSLError) as exc:
        logger.warning("%s injoignable (%s)", service, type(exc).__name__)
        raise ServiceUnavailable(f"{service} injoignable : {exc}") from exc
    elapsed_ms = (time.monotonic() - started) * 1000
    logger.info("%s HTTP %s en %.0f ms", service, response.status, elapsed_ms)
    if response.status >= 500 and not response.body.strip():
        raise ServiceUnavailable(f"{service} a répondu HTTP {response.status}")
    return response
