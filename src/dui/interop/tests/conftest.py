import pytest

from dui.interop import http
from dui.interop.dmp.client import DMPConfig
from dui.interop.dmp.vihf import Signataire
from dui.interop.pki import make_test_pki
from dui.interop.tests.dmp_support import start_dmp


@pytest.fixture(scope="session")
def dmp_pki(tmp_path_factory):
    return make_test_pki(tmp_path_factory.mktemp("dmp-pki"))


def dmp_config(pki, server) -> DMPConfig:
    def endpoint(url):
        return http.Endpoint(
            url=url,
            cert_file=str(pki.client_cert),
            key_file=str(pki.client_key),
            ca_file=str(pki.ca_cert),
            timeout_seconds=5,
        )

    return DMPConfig(
        repository=endpoint(server.repository_url),
        registry=endpoint(server.registry_url),
        signataire=Signataire.from_files(str(pki.client_cert), str(pki.client_key)),
    )


@pytest.fixture
def dmp(dmp_pki):
    """A running DMP simulator (mutual TLS, VIHF checked) and a client configuration."""
    server = start_dmp(dmp_pki)
    yield server, dmp_config(dmp_pki, server)
    server.stop()
