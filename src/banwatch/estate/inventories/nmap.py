"""nmap XML (`nmap -sn -oX scan.xml 192.168.10.0/24`): the devices on a network
and their MAC addresses. A device's maker is the owner of its MAC's OUI prefix
in the IEEE registry, looked up with netaddr (the registry as netaddr ships
it), not nmap's own vendor guess, which depends on nmap's version.

Beyond a router nmap sees no MAC: a device there is known by what it answers
(`nmap -sV -O`): the product and vendor of each service, the operating
system's match and class, and their CPEs. These, labelled, are its maker's
evidence ('os class vendor: Hikvision; 80/tcp http: Hikvision IP camera
httpd'), which the device signatures read as they read a MAC's owner."""

from __future__ import annotations

from pathlib import Path
from xml.etree.ElementTree import Element

import duckdb

from banwatch.errors import BadInput
from banwatch.estate.inventories import load_rows, parse_xml, short
from banwatch.estate.items import DEVICE


def oui_owner(mac: str) -> str | None:
    from netaddr import EUI, AddrFormatError, NotRegisteredError  # noqa: PLC0415

    try:
        return EUI(mac).oui.registration().org
    except (AddrFormatError, NotRegisteredError, ValueError, TypeError):
        return None


def fingerprint(host: Element) -> list[str]:
    """What nmap's service and OS detection say of a device, each piece labelled."""
    pieces: list[str] = []
    for port in host.iter("port"):
        service = port.find("service")
        if service is None:
            continue
        said = " ".join(filter(None, (service.get("product"), service.get("version"), service.get("extrainfo"),
                                      service.get("devicetype"))))
        cpes = [cpe.text for cpe in service.iter("cpe") if cpe.text]
        if said or cpes:
            where = f"{port.get('portid')}/{port.get('protocol')} {service.get('name') or ''}".strip()
            pieces.append(f"{where}: {' '.join(filter(None, (said, *cpes)))}")
    for match in host.iter("osmatch"):
        classes = {(c.get("vendor"), c.get("type")) for c in match.iter("osclass")}
        vendors = ", ".join(sorted({vendor for vendor, _type in classes if vendor}))
        pieces.append(f"os match {match.get('name')} ({match.get('accuracy')}%)" + (f", vendor {vendors}" if vendors else ""))
    return pieces


def what_it_is(host: Element) -> str:
    """A fingerprinted device's name: its first service's product, else its best OS match."""
    products = [service.get("product") for service in host.iter("service") if service.get("product")]
    matches = [match.get("name") for match in host.iter("osmatch") if match.get("name")]
    return (products or matches or ["unknown device"])[0]


def read(connection: duckdb.DuckDBPyConnection, path: Path, table: str, _options: dict) -> str:
    root = parse_xml(path)
    if root.tag != "nmaprun":
        raise BadInput(str(path), f"XML root {short(root.tag)} is not nmap's <nmaprun>")
    rows = []
    for host in root.iter("host"):
        addresses = {address.get("addrtype"): address for address in host.iter("address")}
        mac_address = addresses.get("mac")
        ip = next((addresses[kind].get("addr") for kind in ("ipv4", "ipv6") if kind in addresses), None)
        hostname = next((name.get("name") for name in host.iter("hostname")), None)
        evidence = fingerprint(host)
        if mac_address is None:  # the scanning machine itself, or a host beyond a router: no MAC seen
            if evidence:
                rows.append({"host": hostname or ip, "kind": DEVICE, "vendor": "; ".join(evidence),
                             "name": f"{what_it_is(host)} (by fingerprint)", "path": ip})
            continue
        mac = mac_address.get("addr", "")
        owner = oui_owner(mac)
        rows.append({"host": hostname or ip or mac, "kind": DEVICE, "vendor": owner or "; ".join(evidence) or None,
                     "name": f"{owner or mac_address.get('vendor') or 'unknown maker'} device",
                     "mac": mac.upper(), "path": ip})
    return load_rows(connection, table, rows)
