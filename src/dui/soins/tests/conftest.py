import pytest

from conftest import make_pro


@pytest.fixture
def infirmier(etab, usager):
    """A nurse of the person's établissement (soins write)."""
    return make_pro(etab, "infirmier", prenom="Inès", nom="Infirmière")
