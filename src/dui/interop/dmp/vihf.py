"""The VIHF token: a SAML 2.0 assertion naming the user, the structure and the patient,
signed (XML-DSig) with the structure's certificate (interop.md §2.1, "Mapping VIHF et XDS").

Authentication is indirect: the structure is authenticated by its certificate (mutual TLS and
this signature), the user was authenticated locally by the DUI and is named in the token.
"""

from __future__ import annotations

import base64
import datetime
import uuid
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature as InvalidSignatureError
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from lxml import etree
from signxml import InvalidInput, InvalidSignature, SignatureMethod, XMLSigner, XMLVerifier
from signxml.exceptions import InvalidCertificate, InvalidDigest

from dui.interop.dmp.xml import NS, el, q

VERSION = "3.0"
RESSOURCE_URN = "urn:dmp"
OID_ROLE = "1.2.250.1.213.1.1.4.5"  # TRE_G15 profession (CI-SIS subject role)
OID_SECTEUR = "1.2.250.1.71.4.2.4"  # TRE_R02 secteur d'activité
VALIDITE = datetime.timedelta(minutes=10)
TOLERANCE = datetime.timedelta(minutes=2)

ATTR_ROLE = "urn:oasis:names:tc:xacml:2.0:subject:role"
ATTR_SUBJECT_ID = "urn:oasis:names:tc:xspa:1.0:subject:subject-id"
ATTR_RESOURCE = "urn:oasis:names:tc:xacml:2.0:resource:resource-id"
ATTR_PURPOSE = "urn:oasis:names:tc:xspa:1.0:subject:purposeofuse"


@dataclass(frozen=True)
class Utilisateur:
    """Who acts: national id (idNatPs, "8"+RPPS) or the DUI's internal id, and role."""

    identifiant: str
    nom: str
    prenom: str
    role_code: str  # TRE_G15 profession code (10 médecin, 60 infirmier…)
    role_libelle: str
    specialite: str = ""


@dataclass(frozen=True)
class Structure:
    identifiant: str  # idNatSt: "1" + FINESS
    nom: str
    secteur_activite: str = "SA17"


@dataclass(frozen=True)
class ContexteVIHF:
    utilisateur: Utilisateur
    structure: Structure
    patient_ins: str  # CX of the patient's INS
    mode_acces: str = "normal"
    lps_nom: str = "dossier-usager"
    lps_version: str = "0.1"
    lps_homologation: str = ""


@dataclass(frozen=True)
class Signataire:
    cert_pem: bytes
    key_pem: bytes

    @classmethod
    def from_files(cls, cert_file: str, key_file: str) -> Signataire:
        return cls(Path(cert_file).read_bytes(), Path(key_file).read_bytes())

    @property
    def certificate(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.cert_pem)

    def method(self) -> SignatureMethod:
        key = load_pem_private_key(self.key_pem, password=None)
        if isinstance(key, ec.EllipticCurvePrivateKey):
            return SignatureMethod.ECDSA_SHA256
        return SignatureMethod.RSA_SHA256


def _stamp(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _attribute(statement: etree._Element, name: str, *values: str) -> None:
    attribute = el(statement, "saml", "Attribute", Name=name)
    for value in values:
        el(attribute, "saml", "AttributeValue", value)


def _role(statement: etree._Element, code: str, libelle: str, system: str) -> None:
    attribute = el(statement, "saml", "Attribute", Name=ATTR_ROLE)
    value = el(attribute, "saml", "AttributeValue")
    role = etree.SubElement(value, q("hl7", "Role"))
    role.set("code", code)
    role.set("codeSystem", system)
    role.set("displayName", libelle)
    role.set(q("xsi", "type"), "CE")


def build_assertion(
    contexte: ContexteVIHF, signataire: Signataire, *, now: datetime.datetime | None = None
) -> etree._Element:
    """The signed assertion, to put in the wsse:Security header."""
    now = now or datetime.datetime.now(datetime.UTC)
    nsmap = {k: NS[k] for k in ("saml", "xsi", "hl7", "ds")}
    assertion = etree.Element(
        q("saml", "Assertion"),
        {"ID": f"_{uuid.uuid4()}", "IssueInstant": _stamp(now), "Version": "2.0"},
        nsmap=nsmap,
    )
    issuer_dn = signataire.certificate.subject.rfc4514_string()
    el(
        assertion,
        "saml",
        "Issuer",
        issuer_dn,
        Format="urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName",
    )
    etree.SubElement(assertion, q("ds", "Signature"), Id="placeholder")
    u = contexte.utilisateur
    subject = el(assertion, "saml", "Subject")
    el(
        subject,
        "saml",
        "NameID",
        u.identifiant,
        Format="urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified",
    )
    el(
        subject,
        "saml",
        "SubjectConfirmation",
        Method="urn:oasis:names:tc:SAML:2.0:cm:sender-vouches",
    )
    el(
        assertion,
        "saml",
        "Conditions",
        NotBefore=_stamp(now - datetime.timedelta(seconds=30)),
        NotOnOrAfter=_stamp(now + VALIDITE),
    )
    authn = el(assertion, "saml", "AuthnStatement", AuthnInstant=_stamp(now))
    el(
        el(authn, "saml", "AuthnContext"),
        "saml",
        "AuthnContextClassRef",
        "urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified",
    )
    s = contexte.structure
    statement = el(assertion, "saml", "AttributeStatement")
    _attribute(statement, "VIHF_Version", VERSION)
    _attribute(statement, "Authentification_Mode", "INDIRECTE")
    _attribute(statement, "Identifiant_Structure", s.identifiant)
    _attribute(statement, "Secteur_Activite", f"{s.secteur_activite}^{OID_SECTEUR}")
    _attribute(statement, ATTR_SUBJECT_ID, f"{u.nom} {u.prenom}".strip())
    _role(statement, u.role_code, u.role_libelle, OID_ROLE)
    if u.specialite:
        _role(statement, u.specialite, u.specialite, OID_ROLE)
    _attribute(statement, ATTR_RESOURCE, contexte.patient_ins)
    _attribute(statement, "Ressource_URN", RESSOURCE_URN)
    _attribute(statement, ATTR_PURPOSE, contexte.mode_acces)
    _attribute(statement, "LPS_Nom", contexte.lps_nom)
    _attribute(statement, "LPS_Version", contexte.lps_version)
    _attribute(statement, "LPS_ID_HOMOLOGATION_DMP", contexte.lps_homologation)
    signer = XMLSigner(
        signature_algorithm=signataire.method(),
        digest_algorithm="sha256",
        c14n_algorithm="http://www.w3.org/2001/10/xml-exc-c14n#",
    )
    return signer.sign(
        assertion,
        key=signataire.key_pem,
        cert=signataire.cert_pem.decode(),
        reference_uri=assertion.get("ID"),
        id_attribute="ID",
    )


# --- server side -----------------------------------------------------------------------


class VIHFInvalide(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class VIHFLu:
    identifiant_utilisateur: str
    identifiant_structure: str
    roles: list[str]
    patient_ins: str
    mode_acces: str
    attributs: dict[str, list[str]]


def _parse_time(value: str) -> datetime.datetime:
    return datetime.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.UTC)


def _trusted_certificate(assertion: etree._Element, ca_pem_file: str) -> x509.Certificate:
    """The signing certificate carried in the signature, if a trusted authority issued it
    and it is valid now (the chain is one level deep, as with the IGC Santé structure
    certificates under their issuing authority)."""
    value = assertion.findtext("ds:Signature/ds:KeyInfo/ds:X509Data/ds:X509Certificate", None, NS)
    if not value:
        raise VIHFInvalide("wsse:FailedAuthentication", "certificat du signataire absent")
    try:
        cert = x509.load_der_x509_certificate(base64.b64decode("".join(value.split())))
    except ValueError as exc:
        raise VIHFInvalide("wsse:FailedAuthentication", "certificat illisible") from exc
    now = datetime.datetime.now(datetime.UTC)
    if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
        raise VIHFInvalide("wsse:FailedAuthentication", "certificat du signataire expiré")
    for authority in x509.load_pem_x509_certificates(Path(ca_pem_file).read_bytes()):
        try:
            cert.verify_directly_issued_by(authority)
        except (ValueError, TypeError, InvalidSignatureError):
            continue
        return cert
    raise VIHFInvalide("wsse:FailedAuthentication", "certificat émis par une autorité inconnue")


def verify_assertion(
    assertion: etree._Element | None, *, ca_pem_file: str, now: datetime.datetime | None = None
) -> VIHFLu:
    """Check the token as the DMP does: signed, by a certificate of a trusted authority,
    not expired, with the mandatory attributes. Raise VIHFInvalide."""
    if assertion is None:
        raise VIHFInvalide("wsse:InvalidSecurity", "jeton VIHF absent")
    if assertion.find("ds:Signature", NS) is None:
        raise VIHFInvalide("wsse:InvalidSecurity", "jeton VIHF non signé")
    cert = _trusted_certificate(assertion, ca_pem_file)
    # Verify a standalone copy: the signature covers the assertion alone.
    standalone = etree.fromstring(etree.tostring(assertion))
    try:
        verified = XMLVerifier().verify(
            standalone, x509_cert=cert, id_attribute="ID", expect_references=1
        )
    except (InvalidSignature, InvalidDigest, InvalidCertificate, InvalidInput) as exc:
        raise VIHFInvalide("wsse:FailedAuthentication", f"signature VIHF invalide : {exc}") from exc
    if isinstance(verified, list):  # only with expect_references > 1
        verified = verified[0]
    signed = verified.signed_xml
    if signed is None or signed.tag != q("saml", "Assertion"):
        raise VIHFInvalide("wsse:FailedAuthentication", "la signature ne couvre pas l'assertion")
    now = now or datetime.datetime.now(datetime.UTC)
    conditions = signed.find("saml:Conditions", NS)
    try:
        not_before = (
            _parse_time(conditions.get("NotBefore", "")) if conditions is not None else None
        )
        not_after = (
            _parse_time(conditions.get("NotOnOrAfter", "")) if conditions is not None else None
        )
    except ValueError as exc:
        raise VIHFInvalide("wsse:InvalidSecurityToken", "dates de validité illisibles") from exc
    if not_before is None or not_after is None:
        raise VIHFInvalide("wsse:InvalidSecurityToken", "jeton sans période de validité")
    if now + TOLERANCE < not_before or now >= not_after + TOLERANCE:
        raise VIHFInvalide("wsse:InvalidSecurityToken", "jeton VIHF expiré")
    attributs: dict[str, list[str]] = {}
    roles: list[str] = []
    for attribute in signed.iterfind("saml:AttributeStatement/saml:Attribute", NS):
        name = attribute.get("Name", "")
        for value in attribute.iterfind("saml:AttributeValue", NS):
            role = value.find("hl7:Role", NS)
            if role is not None:
                roles.append(role.get("code", ""))
            else:
                attributs.setdefault(name, []).append((value.text or "").strip())
    for required in ("VIHF_Version", "Identifiant_Structure", ATTR_RESOURCE, "Ressource_URN"):
        if not any(attributs.get(required, [])):
            raise VIHFInvalide("wsse:InvalidSecurityToken", f"attribut {required} manquant")
    if not roles:
        raise VIHFInvalide("wsse:InvalidSecurityToken", "rôle de l'utilisateur manquant")
    name_id = signed.find("saml:Subject/saml:NameID", NS)
    return VIHFLu(
        identifiant_utilisateur=(name_id.text or "") if name_id is not None else "",
        identifiant_structure=attributs["Identifiant_Structure"][0],
        roles=roles,
        patient_ins=attributs[ATTR_RESOURCE][0],
        mode_acces=(attributs.get(ATTR_PURPOSE) or ["normal"])[0],
        attributs=attributs,
    )
