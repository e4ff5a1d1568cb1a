"""Client of the INSi teleservice (GIE SESAM-Vitale): SOAP 1.2 over HTTPS with mutual TLS.

One function per remote operation (interop.md §1.6). Verification has no confirmed dedicated
operation: it is a search by the stored traits whose answer must carry the same matricule.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings

from dui.interop import http
from dui.interop.ins import soap
from dui.interop.ins.schemas import (
    CR_OK,
    CarteVitale,
    INSiFault,
    ResultatINSi,
    TraitsRecherche,
)


@dataclass(frozen=True)
class INSiConfig:
    endpoint: http.Endpoint
    emetteur: str = "dossier-usager"
    idam: str = ""
    lps_nom: str = "dossier-usager"
    lps_version: str = "0.1"

    @classmethod
    def from_settings(cls) -> INSiConfig:
        conf = getattr(settings, "INSI", {})
        return cls(
            endpoint=http.Endpoint(
                url=conf.get("URL", ""),
                cert_file=conf.get("CERT_FILE", ""),
                key_file=conf.get("KEY_FILE", ""),
                ca_file=conf.get("CA_FILE", ""),
                timeout_seconds=float(conf.get("TIMEOUT_SECONDS", 15)),
            ),
            emetteur=conf.get("EMETTEUR", "dossier-usager"),
            idam=conf.get("IDAM", ""),
            lps_nom=conf.get("LPS_NOM", "dossier-usager"),
            lps_version=conf.get("LPS_VERSION", "0.1"),
        )


def _call(config: INSiConfig, action: str, body: object, **extra: object) -> ResultatINSi:
    if not config.endpoint.url:
        raise http.ServiceUnavailable("INSi n'est pas configuré (DUI_INSI_URL).")
    request = soap.build_request(
        action=action,
        emetteur=config.emetteur,
        idam=config.idam,
        lps_nom=config.lps_nom,
        lps_version=config.lps_version,
        body=body,  # type: ignore[arg-type]
        **extra,  # type: ignore[arg-type]
    )
    response = http.post(config.endpoint, request, content_type=soap.CONTENT_TYPE, service="INSi")
    try:
        return soap.parse_response(response.body)
    except soap.MalformedMessage as exc:
        if response.status >= 500:
            raise http.ServiceUnavailable(f"INSi a répondu HTTP {response.status}") from exc
        raise


def rechercher_par_traits(
    traits: TraitsRecherche, config: INSiConfig | None = None
) -> ResultatINSi:
    """rechercherInsAvecTraitsIdentite: find the INS from the five traits."""
    config = config or INSiConfig.from_settings()
    return _call(config, soap.ACTION_TRAITS, soap.traits_body(traits))


def rechercher_par_carte_vitale(
    carte: CarteVitale, config: INSiConfig | None = None
) -> ResultatINSi:
    """rechercherInsAvecCarteVitale: find the INS of a beneficiary of a carte Vitale."""
    config = config or INSiConfig.from_settings()
    return _call(config, soap.ACTION_VITALE, soap.vitale_body(carte), carte_vitale=carte)


@dataclass(frozen=True)
class Verification:
    conforme: bool
    resultat: ResultatINSi
    ecarts: list[str] = field(default_factory=list)


def verifier(
    *, matricule: str, traits: TraitsRecherche, config: INSiConfig | None = None
) -> Verification:
    """Check a stored INS: INSi must answer the same matricule (active or historical) and the
    same traits for the stored traits."""
    resultat = rechercher_par_traits(traits, config)
    if resultat.code_cr != CR_OK or resultat.ins is None or resultat.traits is None:
        return Verification(False, resultat, [f"INSi : {resultat.libelle_cr}"])
    ecarts = []
    if resultat.ins.matricule != matricule:
        ecarts.append("le matricule INS a changé")
    t = resultat.traits
    if t.date_naissance != traits.date_naissance:
        ecarts.append("date de naissance")
    if t.sexe != traits.sexe:
        ecarts.append("sexe")
    if traits.lieu_naissance and t.lieu_naissance != traits.lieu_naissance:
        ecarts.append("lieu de naissance")
    return Verification(not ecarts, resultat, ecarts)


__all__ = [
    "INSiConfig",
    "INSiFault",
    "Verification",
    "rechercher_par_carte_vitale",
    "rechercher_par_traits",
    "verifier",
]
