"""SBOMs: CycloneDX (JSON, XML) through cyclonedx-python-lib and SPDX (JSON,
tag-value) through spdx-tools, the libraries of those two standards.

An SBOM describes one product: its components are the items and the product
(CycloneDX `metadata.component`, SPDX document name) stands as their host.
This is how a Kaspersky SDK integrated in a third-party product is found: by
the component's supplier, publisher, authors or copyright line, or its purl.
A deb or rpm purl also gives the package's name (`kesl` of
`pkg:deb/ubuntu/kesl@11.2.0`), which the package signatures read as they read
an installed package's (other purls meet the purl signatures: a Maven group,
an npm scope); a CPE's vendor joins the parties named. Syft and
Trivy write CycloneDX and SPDX with purls and CPEs but, for a package
found on disk, seldom a supplier: the purl is what names it.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path

import duckdb

from banwatch import inputs
from banwatch.errors import BadInput
from banwatch.estate.inventories import PARSED_WHAT, load_rows, parse_json, parse_xml, short

CYCLONEDX_NAMESPACE = "http://cyclonedx.org/schema/bom/"


def known_cyclonedx_versions() -> set[str]:
    from cyclonedx.schema import SchemaVersion  # noqa: PLC0415

    return {version.to_version() for version in SchemaVersion}


def check_cyclonedx_version(path: Path, version: object) -> None:
    known = known_cyclonedx_versions()
    if not isinstance(version, str) or version not in known:  # a list or an object is no version (and unhashable)
        raise BadInput(str(path), f"CycloneDX spec version {short(version)} is not one this reader knows "
                       f"({', '.join(sorted(known))})")


def cyclonedx_json(connection: duckdb.DuckDBPyConnection, path: Path, table: str, _options: dict) -> str:
    from cyclonedx.model.bom import Bom  # noqa: PLC0415

    document = parse_json(path)
    if not isinstance(document, dict):
        raise BadInput(str(path), "a CycloneDX JSON SBOM is one JSON object")
    check_cyclonedx_version(path, document.get("specVersion"))
    try:
        with warnings.catch_warnings():  # a 1.5 field the 1.6 schema deprecates ('author') is not wrong here
            warnings.simplefilter("ignore")
            bom = Bom.from_json(document)  # type: ignore[attr-defined]
            rows = cyclonedx_rows(bom)
    except Exception as error:  # the library raises many kinds for one thing: not a valid BOM
        raise BadInput(str(path), f"not a valid CycloneDX SBOM: {one_line(error)}") from None
    return load_rows(connection, table, rows)


def cyclonedx_xml(connection: duckdb.DuckDBPyConnection, path: Path, table: str, _options: dict) -> str:
    from cyclonedx.model.bom import Bom  # noqa: PLC0415

    root = parse_xml(path)
    namespace = root.tag[1:].split("}", 1)[0] if root.tag.startswith("{") else ""
    if not namespace.startswith(CYCLONEDX_NAMESPACE):
        raise BadInput(str(path), f"XML root {short(root.tag)} is not a CycloneDX bom")
    check_cyclonedx_version(path, namespace.removeprefix(CYCLONEDX_NAMESPACE))
    try:
        with warnings.catch_warnings():  # as above
            warnings.simplefilter("ignore")
            bom = Bom.from_xml(root)  # type: ignore[attr-defined]
            rows = cyclonedx_rows(bom)
    except Exception as error:  # as above
        raise BadInput(str(path), f"not a valid CycloneDX SBOM: {one_line(error)}") from None
    return load_rows(connection, table, rows)


def cyclonedx_rows(bom) -> list[dict[str, str | None]]:
    product = bom.metadata.component
    host = " ".join(filter(None, (product.name, product.version))) if product else "SBOM"
    rows: list[dict[str, str | None]] = []
    pending = list(bom.components)
    while pending:  # components nest: a firmware's SDK inside a module inside the product
        component = pending.pop(0)
        pending.extend(component.components)
        who = [("supplier", component.supplier.name if component.supplier else None),
               ("publisher", component.publisher), ("author", component.author),
               *(("author", author.name) for author in component.authors),
               ("copyright", component.copyright)]
        rows.append(component_row(host, who, " ".join(filter(None, (component.group, component.name))),
                                  component.version, str(component.purl) if component.purl else None,
                                  component.cpe))
    return rows


def spdx_json(connection: duckdb.DuckDBPyConnection, path: Path, table: str, _options: dict) -> str:
    from spdx_tools.spdx.parser.json.json_parser import remove_json_control_chars_hook  # noqa: PLC0415
    from spdx_tools.spdx.parser.jsonlikedict.json_like_dict_parser import JsonLikeDictParser  # noqa: PLC0415

    # parsed here, not by spdx-tools' parse_file, which picks its parser by the file's name
    # (an SPDX JSON saved as .txt was refused) and has no size limit
    document = parse_json(path, object_pairs_hook=remove_json_control_chars_hook)
    if not isinstance(document, dict):
        raise BadInput(str(path), "an SPDX JSON document is one JSON object")
    return spdx_table(connection, path, table, lambda: JsonLikeDictParser().parse(document))


def spdx_tag_value(connection: duckdb.DuckDBPyConnection, path: Path, table: str, _options: dict) -> str:
    from spdx_tools.common.spdx_licensing import spdx_licensing  # noqa: PLC0415
    from spdx_tools.spdx.parser.tagvalue import parser as tag_value  # noqa: PLC0415

    # spdx-tools 0.8's tag-value parser builds the SPDX licence index anew for every licence it
    # reads (45 ms each: a minute for an SBOM of a thousand packages, and a file repeating one
    # licence line costs what an attacker likes); its JSON parser shares one, this one: it too
    tag_value.get_spdx_licensing = lambda: spdx_licensing
    text = inputs.read_text(path, inputs.PARSED_INVENTORY_LIMIT, PARSED_WHAT)  # UTF-8, no NUL, size limit
    return spdx_table(connection, path, table, lambda: tag_value.Parser().parse(text))


def spdx_table(connection: duckdb.DuckDBPyConnection, path: Path, table: str, parse: Callable[[], object]) -> str:
    from spdx_tools.spdx.parser.error import SPDXParsingError  # noqa: PLC0415

    try:
        document = parse()
        rows = spdx_rows(path, document)
    except SPDXParsingError as error:
        messages = error.get_messages()
        raise BadInput(str(path), f"not a valid SPDX document: {one_line(messages[0] if messages else error)}") from None
    except BadInput:
        raise
    except Exception as error:  # spdx-tools lets its parsers' and models' own errors through
        raise BadInput(str(path), f"not a valid SPDX document: {one_line(error)}") from None
    return load_rows(connection, table, rows)


def spdx_rows(path: Path, document) -> list[dict[str, str | None]]:
    version = document.creation_info.spdx_version
    if version not in ("SPDX-2.2", "SPDX-2.3"):
        raise BadInput(str(path), f"SPDX version {short(version)} is not one this reader knows (SPDX-2.2, SPDX-2.3)")
    described = described_package(document)
    # the product the SBOM describes stands as the host, named as CycloneDX names it (name and
    # version), so that the two SBOMs of one firmware give the same findings
    host = " ".join(filter(None, (described.name, described.version))) if described else document.creation_info.name
    rows = []
    for package in document.packages:
        if described is not None and package.spdx_id == described.spdx_id:
            continue
        references = {reference.reference_type: reference.locator for reference in package.external_references}
        who = [("supplier", actor_name(package.supplier)), ("originator", actor_name(package.originator)),
               ("copyright", package.copyright_text if isinstance(package.copyright_text, str) else None)]
        rows.append(component_row(host, who, package.name, package.version, references.get("purl"),
                                  references.get("cpe23Type") or references.get("cpe22Type")))
    return rows


def component_row(host: str, who: list[tuple[str, str | None]], name: str | None, version: str | None,
                  purl: str | None, cpe: str | None) -> dict[str, str | None]:
    """An SBOM component as an item: its parties (with its CPE's vendor), and
    its purl in canonical form with the package name it gives."""
    purl, package = parsed_purl(purl)
    return {"host": host, "kind": "component", "vendor": vendor_text([*who, ("cpe vendor", cpe_vendor(cpe))]),
            "name": name, "version": version, "package": package, "purl": purl, "cpe": cpe}


#: purl types whose names are the names the catalog's package signatures give (deb and rpm
#: packages): a PyPI or npm package of the same name is another thing, found by purl signatures
OS_PACKAGE_TYPES = ("deb", "rpm")


def parsed_purl(purl: str | None) -> tuple[str | None, str | None]:
    """(the purl in canonical form, for a deb or rpm the package name it gives:
    'kesl' of pkg:deb/ubuntu/kesl@11.2.0). A purl packageurl cannot read is
    kept as written."""
    from packageurl import PackageURL  # noqa: PLC0415

    if not purl:
        return None, None
    try:
        parsed = PackageURL.from_string(purl)
    except ValueError:
        return purl, None
    return parsed.to_string(), parsed.name if parsed.type in OS_PACKAGE_TYPES else None


def cpe_vendor(cpe: str | None) -> str | None:
    """The vendor part of a CPE name: 'kaspersky' of cpe:2.3:a:kaspersky:endpoint_security:11.6 (or cpe:/a:...)."""
    if not cpe:
        return None
    parts = cpe.split(":")
    vendor = parts[3] if cpe.startswith("cpe:2.3:") and len(parts) > 3 else parts[2] if cpe.startswith("cpe:/") \
        and len(parts) > 2 else None
    return vendor.replace("_", " ") if vendor and vendor not in ("*", "-") else None


def one_line(error: object) -> str:
    """An error's message as one line of a problem, cut short: libraries' messages run to many lines."""
    text = " ".join(str(error).split())
    return text if len(text) <= 300 else text[:297] + "..."


def described_package(document):
    """The package the document DESCRIBES (the product itself), when there is exactly one."""
    from spdx_tools.spdx.model import RelationshipType  # noqa: PLC0415

    described = {relationship.related_spdx_element_id for relationship in document.relationships
                 if relationship.relationship_type is RelationshipType.DESCRIBES
                 and relationship.spdx_element_id == document.creation_info.spdx_id}
    packages = [package for package in document.packages if package.spdx_id in described]
    return packages[0] if len(packages) == 1 else None


def actor_name(actor) -> str | None:
    return getattr(actor, "name", None)  # an Actor, or NOASSERTION/NONE, which have no name


def vendor_text(who: list[tuple[str, str | None]]) -> str | None:
    """'supplier: AO Kaspersky Lab; copyright: © AO Kaspersky Lab': every party
    an SBOM names for a component, labelled, so that a finding says which one matched."""
    seen: list[str] = []
    for role, name in who:
        if name and f"{role}: {name}" not in seen:
            seen.append(f"{role}: {name}")
    return "; ".join(seen) or None
