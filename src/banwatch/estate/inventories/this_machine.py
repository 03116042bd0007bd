"""The machine banwatch runs on, as an inventory: what is installed and what
runs, read from the platform's own records (no agent, nothing to install).

- Linux: Debian packages (/var/lib/dpkg/status), RPM packages (`rpm -qa`,
  where rpm is installed), running processes (/proc/<pid>/comm and exe);
- macOS: applications (/Applications/*.app Info.plist: name, bundle id, version);
- Windows: installed programs (the registry's Uninstall keys);
- everywhere: Python distributions in the running environment.
"""

from __future__ import annotations

import os
import platform
import plistlib
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import duckdb

from banwatch.estate.inventories import Inventory, load_rows

Row = dict[str, str | None]
DPKG_STATUS = Path("/var/lib/dpkg/status")


def read_this_machine(connection: duckdb.DuckDBPyConnection) -> Inventory:
    host = platform.node() or "this machine"
    rows = [*debian_packages(host), *rpm_packages(host), *processes(host), *mac_applications(host),
            *windows_programs(host), *python_distributions(host)]
    return Inventory(f"this machine ({host})", "local", load_rows(connection, "this_machine", rows))


def debian_packages(host: str, status: Path = DPKG_STATUS) -> list[Row]:
    """Installed packages from dpkg's status file: stanzas of 'Field: value' lines."""
    if not status.is_file():
        return []
    rows = []
    for stanza in status.read_text(encoding="utf-8", errors="replace").split("\n\n"):
        fields = dict(line.split(": ", 1) for line in stanza.splitlines() if ": " in line and not line[0].isspace())
        if fields.get("Package") and "installed" in fields.get("Status", "").split():
            rows.append({"host": host, "kind": "deb", "name": fields["Package"], "package": fields["Package"],
                         "version": fields.get("Version"), "vendor": fields.get("Maintainer")})
    return rows


def rpm_packages(host: str) -> list[Row]:
    rpm = shutil.which("rpm")
    if rpm is None or DPKG_STATUS.is_file():  # a Debian system with rpm installed has no rpm database worth reading
        return []
    listing = subprocess.run([rpm, "-qa", "--qf", "%{NAME}\t%{VERSION}-%{RELEASE}\t%{VENDOR}\n"],
                             capture_output=True, text=True, check=False, timeout=120).stdout
    return [{"host": host, "kind": "rpm", "name": name, "package": name, "version": version, "vendor": vendor}
            for name, version, vendor in (line.split("\t") for line in listing.splitlines() if line.count("\t") == 2)]


def processes(host: str) -> list[Row]:
    proc = Path("/proc")
    if not proc.is_dir():
        return []
    rows = []
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            name = (entry / "comm").read_text().strip()
            path = os.readlink(entry / "exe")
        except OSError:  # gone, or another user's: its name is enough
            path = None
            try:
                name = (entry / "comm").read_text().strip()
            except OSError:
                continue
        rows.append({"host": host, "kind": "process", "name": name, "path": path})
    return rows


def mac_applications(host: str) -> list[Row]:
    if sys.platform != "darwin":
        return []
    rows = []
    for plist in Path("/Applications").glob("*.app/Contents/Info.plist"):
        try:
            info = plistlib.loads(plist.read_bytes())
        except (OSError, plistlib.InvalidFileException, ValueError):
            continue
        rows.append({"host": host, "kind": "app", "name": info.get("CFBundleName") or plist.parents[1].stem,
                     "bundle_id": info.get("CFBundleIdentifier"), "version": info.get("CFBundleShortVersionString"),
                     "vendor": info.get("NSHumanReadableCopyright"), "path": str(plist.parents[1])})
    return rows


def windows_programs(host: str) -> list[Row]:
    if sys.platform != "win32":
        return []
    import winreg  # noqa: PLC0415

    rows = []
    for hive, key in ((winreg.HKEY_LOCAL_MACHINE, r"SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall"),
                      (winreg.HKEY_LOCAL_MACHINE, r"SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall"),
                      (winreg.HKEY_CURRENT_USER, r"SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall")):
        try:
            uninstall = winreg.OpenKey(hive, key)
        except OSError:
            continue
        for index in range(winreg.QueryInfoKey(uninstall)[0]):
            try:
                program = winreg.OpenKey(uninstall, winreg.EnumKey(uninstall, index))
            except OSError:
                continue
            values = {}
            for name in ("DisplayName", "DisplayVersion", "Publisher", "InstallLocation"):
                try:
                    values[name] = winreg.QueryValueEx(program, name)[0]
                except OSError:  # a program need not have every value
                    pass
            if values.get("DisplayName"):
                rows.append({"host": host, "kind": "program", "name": values["DisplayName"],
                             "version": values.get("DisplayVersion"), "vendor": values.get("Publisher"),
                             "path": values.get("InstallLocation")})
    return rows


def python_distributions(host: str) -> list[Row]:
    rows = []
    for distribution in metadata.distributions():
        name = distribution.metadata.get("Name")
        if name:
            rows.append({"host": host, "kind": "python", "name": name, "package": name,
                         "version": distribution.version,
                         "vendor": distribution.metadata.get("Author") or distribution.metadata.get("Maintainer")})
    return rows
