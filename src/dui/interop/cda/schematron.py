"""Run the official CI-SIS schematrons (ISO Schematron, queryBinding xslt2) with Saxon-HE.

No ISO schematron → XSLT compiler ships on PyPI, so this module compiles the subset of ISO
Schematron the CI-SIS files use, written here from the ISO/IEC 19757-3 semantics:
`include` (anywhere), `ns`, `let` (schema, pattern and rule level), abstract patterns
instantiated by `is-a` + `param`, abstract rules pulled in by `extends`, `assert`/`report`
with `value-of` and `name` in their messages, and "first matching rule per pattern" (template
priorities in rule order). Phases are not used: every pattern runs. The result is SVRL-like:
a list of `Constat` (failed asserts and successful reports) with the role given by the schema.

The engine is `saxonche` (Saxon-HE, XSLT 3.0 / XPath 3.1), needed for the XPath 2 functions
(`matches`, `tokenize`, `doc`…) that the CI-SIS rules use and libxslt lacks. Used by the
tests (and available to tools); the run-time gate stays `validation.valider` (XSD + rules).
"""

from __future__ import annotations

import copy
import functools
import re
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

SCH = "http://purl.oclc.org/dsdl/schematron"
XSL = "http://www.w3.org/1999/XSL/Transform"
OUT = "urn:dui:schematron-result"
S = {"s": SCH}


@dataclass(frozen=True)
class Constat:
    role: str  # "error" unless the schema says warning/info…
    message: str
    location: str
    test: str

    @property
    def is_error(self) -> bool:
        return self.role.lower() not in {"warning", "warn", "info", "information", "hint"}


def _parse(path: Path) -> etree._Element:
    parser = etree.XMLParser(no_network=True, resolve_entities=False, remove_comments=True)
    return etree.parse(str(path), parser=parser).getroot()


def _resolve_includes(element: etree._Element, base: Path) -> None:
    for include in list(element.iter(f"{{{SCH}}}include")):
        target = (base / include.get("href", "")).resolve()
        included = _parse(target)
        _resolve_includes(included, target.parent)
        parent = include.getparent()
        assert parent is not None
        parent.replace(include, included)


def _substitute(text: str, params: dict[str, str]) -> str:
    for name in sorted(params, key=len, reverse=True):
        value = params[name]
        text = re.sub(rf"\${re.escape(name)}(?![\w.-])", lambda _m, v=value: v, text)  # type: ignore[misc]
    return text


def _instantiate(pattern: etree._Element, abstract: etree._Element) -> etree._Element:
    params = {p.get("name", ""): p.get("value", "") for p in pattern.findall("s:param", S)}
    result = copy.deepcopy(abstract)
    result.attrib.pop("abstract", None)
    result.set("id", pattern.get("id", abstract.get("id", "")))
    for el in result.iter():
        for attr in ("context", "test", "select", "value", "path"):
            if attr in el.attrib:
                el.set(attr, _substitute(el.get(attr, ""), params))
    return result


def _expand_extends(rule: etree._Element, abstract_rules: dict[str, etree._Element]) -> None:
    for ext in list(rule.findall("s:extends", S)):
        base = abstract_rules.get(ext.get("rule", ""))
        position = list(rule).index(ext)
        rule.remove(ext)
        if base is None:
            continue
        base = copy.deepcopy(base)
        _expand_extends(base, abstract_rules)
        for offset, child in enumerate(base):
            rule.insert(position + offset, child)


def _message(target: etree._Element, source: etree._Element) -> None:
    """Copy an assert/report message: text, value-of and name become XSLT."""
    if source.text:
        etree.SubElement(target, f"{{{XSL}}}text").text = source.text
    for child in source:
        local = etree.QName(child).localname if isinstance(child.tag, str) else ""
        if local == "value-of":
            etree.SubElement(target, f"{{{XSL}}}value-of", select=child.get("select", "."))
        elif local == "name":
            path = child.get("path")
            etree.SubElement(
                target, f"{{{XSL}}}value-of", select=f"name({path})" if path else "name(.)"
            )
        elif isinstance(child.tag, str):
            _message(target, child)
        if child.tail:
            etree.SubElement(target, f"{{{XSL}}}text").text = child.tail


def compile_schematron(path: Path) -> bytes:
    """The XSLT 3.0 stylesheet equivalent to the schematron at `path`."""
    schema = _parse(path)
    _resolve_includes(schema, path.parent)
    abstract_patterns = {
        p.get("id", ""): p for p in schema.iter(f"{{{SCH}}}pattern") if p.get("abstract") == "true"
    }
    abstract_rules = {
        r.get("id", ""): r for r in schema.iter(f"{{{SCH}}}rule") if r.get("abstract") == "true"
    }
    nsmap = {"xsl": XSL, "r": OUT, "xs": "http://www.w3.org/2001/XMLSchema"}
    for ns in schema.iter(f"{{{SCH}}}ns"):
        nsmap[ns.get("prefix", "")] = ns.get("uri", "")
    sheet = etree.Element(
        f"{{{XSL}}}stylesheet",
        nsmap=nsmap,  # type: ignore[arg-type]
        version="3.0",
        **{"{http://www.w3.org/XML/1998/namespace}base": path.parent.resolve().as_uri() + "/"},
    )
    for let in schema.findall("s:let", S):
        etree.SubElement(
            sheet, f"{{{XSL}}}variable", name=let.get("name", ""), select=let.get("value", "")
        )

    patterns = []
    for pattern in schema.iter(f"{{{SCH}}}pattern"):
        if pattern.get("abstract") == "true":
            continue
        if pattern.get("is-a"):
            pattern = _instantiate(pattern, abstract_patterns[pattern.get("is-a", "")])
        patterns.append(pattern)

    root = etree.SubElement(sheet, f"{{{XSL}}}template", match="/")
    out = etree.SubElement(root, f"{{{OUT}}}resultats")
    for index, pattern in enumerate(patterns):
        etree.SubElement(out, f"{{{XSL}}}apply-templates", select="/", mode=f"M{index}")
        for let in pattern.findall("s:let", S):
            etree.SubElement(
                sheet, f"{{{XSL}}}variable", name=let.get("name", ""), select=let.get("value", "")
            )
        rules = [r for r in pattern.iter(f"{{{SCH}}}rule") if r.get("abstract") != "true"]
        for order, rule in enumerate(rules):
            rule = copy.deepcopy(rule)
            _expand_extends(rule, abstract_rules)
            template = etree.SubElement(
                sheet,
                f"{{{XSL}}}template",
                match=rule.get("context", ""),
                mode=f"M{index}",
                priority=str(100000 - order),
            )
            for child in rule:
                local = etree.QName(child).localname
                if local == "let":
                    etree.SubElement(
                        template,
                        f"{{{XSL}}}variable",
                        name=child.get("name", ""),
                        select=child.get("value", ""),
                    )
                elif local in ("assert", "report"):
                    test = child.get("test", "true()")
                    condition = f"not({test})" if local == "assert" else test
                    branch = etree.SubElement(template, f"{{{XSL}}}if", test=condition)
                    found = etree.SubElement(
                        branch,
                        f"{{{OUT}}}constat",
                        role=child.get("role", "error"),
                        test=test.replace("{", "{{").replace("}", "}}"),
                        location="{path(.)}",
                    )
                    _message(found, child)
            etree.SubElement(
                template, f"{{{XSL}}}apply-templates", select="@*|node()", mode=f"M{index}"
            )
        fallback = etree.SubElement(
            sheet, f"{{{XSL}}}template", match="@*|node()", mode=f"M{index}", priority="-10"
        )
        etree.SubElement(
            fallback, f"{{{XSL}}}apply-templates", select="@*|node()", mode=f"M{index}"
        )
    compiled = etree.tostring(sheet, xml_declaration=True, encoding="UTF-8")
    return _fill_missing_vocabularies(compiled, path.parent)


_VOC = re.compile(rb"doc\('(include/voc-([0-9.]+)-DYNAMIC\.xml)'\)")


def _fill_missing_vocabularies(compiled: bytes, base: Path) -> bytes:
    """ART-DECOR value-set files the reference copy lacks, rebuilt from the same value set
    published in SVS format in ci-sis/jeuxDeValeurs (same OID, same concepts)."""
    from dui.interop.cda.validation import reference_dir

    def replace(match: re.Match[bytes]) -> bytes:
        if (base / match.group(1).decode()).is_file():
            return match.group(0)
        oid = match.group(2).decode()
        built = _voc_from_svs(oid, reference_dir() / "jeuxDeValeurs")
        return f"doc('{built.as_uri()}')".encode() if built else match.group(0)

    return _VOC.sub(replace, compiled)


@functools.lru_cache(maxsize=32)
def _voc_from_svs(oid: str, jdv_dir: Path) -> Path | None:
    import tempfile

    svs = "urn:ihe:iti:svs:2008"
    for candidate in sorted(jdv_dir.glob("*.xml")):
        head = candidate.read_bytes()[:2000]
        if f'id="{oid}"'.encode() not in head:
            continue
        valueset = etree.SubElement(etree.Element("valueSets"), "valueSet", id=oid)
        concepts = etree.SubElement(valueset, "conceptList")
        for concept in _parse(candidate).iter(f"{{{svs}}}Concept"):
            etree.SubElement(
                concepts,
                "concept",
                code=concept.get("code", ""),
                codeSystem=concept.get("codeSystem", ""),
                displayName=concept.get("displayName", ""),
            )
        target = Path(tempfile.gettempdir()) / "dui-cisis-voc" / f"voc-{oid}-DYNAMIC.xml"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(etree.tostring(valueset.getparent(), encoding="UTF-8"))
        return target
    return None


@functools.lru_cache(maxsize=8)
def _executable(path: str):  # type: ignore[no-untyped-def]
    from saxonche import PySaxonProcessor

    processor = PySaxonProcessor(license=False)
    xslt = processor.new_xslt30_processor()
    executable = xslt.compile_stylesheet(stylesheet_text=compile_schematron(Path(path)).decode())
    return processor, executable


def verifier(document: bytes, schematron: Path) -> list[Constat]:
    """Run one schematron on a document: every failed assert and successful report."""
    processor, executable = _executable(str(schematron.resolve()))
    node = processor.parse_xml(xml_text=document.decode("utf-8"))
    result = executable.transform_to_string(xdm_node=node)
    root = etree.fromstring(result.encode("utf-8"))
    return [
        Constat(
            role=c.get("role", "error"),
            message=" ".join("".join(c.itertext()).split()),
            location=c.get("location", ""),
            test=c.get("test", ""),
        )
        for c in root.iter(f"{{{OUT}}}constat")
    ]


def erreurs(document: bytes, schematron: Path) -> list[str]:
    return [c.message for c in verifier(document, schematron) if c.is_error]
