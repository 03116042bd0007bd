"""One inventory item, whatever the inventory it came from.

Every reader yields rows of these columns (all text, NULL when the inventory
does not say), so that one set of signatures reads them all.
"""

from __future__ import annotations

#: (column, what it holds)
COLUMNS: tuple[tuple[str, str], ...] = (
    ("host", "the machine, or for an SBOM the product it describes"),
    ("kind", "program, deb, rpm, app, browser_extension, kernel_module, process, component, device, python"),
    ("vendor", "publisher, vendor, maintainer, supplier, author or copyright line; for a device its MAC's OUI owner"),
    ("name", "the item's own name"),
    ("version", "its version"),
    ("package", "a package manager's name for it"),
    ("bundle_id", "macOS/iOS bundle id, Android application id, browser extension id; a macOS installer receipt, "
                  "launchd job, kernel or system extension id"),
    ("service", "a Windows service or driver's name, a systemd unit, a launchd label"),
    ("team_id", "the Apple developer team that signed it (system extensions)"),
    ("devices", "for an aggregate inventory (Intune detected apps): how many devices have it"),
    ("purl", "package URL (SBOMs)"),
    ("cpe", "CPE name (SBOMs)"),
    ("mac", "MAC address (devices)"),
    ("path", "where it is installed or runs from"),
)
NAMES = tuple(name for name, _ in COLUMNS)
#: the kind of an item found on the network rather than installed
DEVICE = "device"


def select_list(values: dict[str, str]) -> str:
    """A SELECT list of every column, from SQL expressions by column name
    (NULL for the columns an inventory does not have)."""
    return ", ".join(f"CAST({values.get(name, 'NULL')} AS VARCHAR) AS {name}" for name in NAMES)


def sql_text(value: str) -> str:
    """`value` as an SQL string literal."""
    return "'" + value.replace("'", "''") + "'"
