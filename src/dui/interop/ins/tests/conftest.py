import pytest

from dui.interop import http
from dui.interop.ins.client import INSiConfig
from dui.interop.ins.simulator import INSiSimulator
from dui.interop.pki import make_test_pki


@pytest.fixture(scope="session")
def pki(tmp_path_factory):
    return make_test_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def insi(pki):
    """A running INSi simulator with mutual TLS, and a client configuration for it."""
    server = INSiSimulator(
        ("127.0.0.1", 0),
        certfile=str(pki.server_cert),
        keyfile=str(pki.server_key),
        client_ca=str(pki.ca_cert),
    )
    server.start_in_thread()
    config = INSiConfig(
        endpoint=http.Endpoint(
            url=server.url,
            cert_file=str(pki.client_cert),
            key_file=str(pki.client_key),
            ca_file=str(pki.ca_cert),
            timeout_seconds=5,
        ),
        idam="SIMUL",
    )
    yield server, config
    server.shutdown()
    server.server_close()
