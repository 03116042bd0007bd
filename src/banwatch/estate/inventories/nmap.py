"""nmap XML (`nmap -sn -oX scan.xml 192.168.10.0/24`): the devices on a network
and their MAC addresses. A device's maker is the owner of its MAC's OUI prefix
in the IEEE registry, looked up with netaddr (the registry as netaddr ships
it), not nmap's own vendor guess, which depends on nmap's version."""

from __future__ import annotations

from pathlib import Path

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


def read(connection: duckdb.DuckDBPyConnection, path: Path, table: str, _options: dict) -> str:
    root = parse_xml(path)
    if root.tag != "nmaprun":
        raise BadInput(str(path), f"XML root {short(root.tag)} is not nmap's <nmaprun>")
    rows = []
    for host in root.iter("host"):
        addresses = {address.get("addrtype"): address for address in host.iter("address")}
        mac_address = addresses.get("mac")
        if mac_address is None:  # the scanning machine itself, or a host beyond a router: no MAC seen
            continue
        mac = mac_address.get("addr", "")
        ip = next((addresses[kind].get("addr") for kind in ("ipv4", "ipv6") if kind in addresses), None)
        hostname = next((name.get("name") for name in host.iter("hostname")), None)
        owner = oui_owner(mac)
        rows.append({"host": hostname or ip or mac, "kind": DEVICE, "vendor": owner,
                     "name": f"{owner or mac_address.get('vendor') or 'unknown maker'} device",
                     "mac": mac.upper(), "path": ip})
    return load_rows(connection, table, rows)
