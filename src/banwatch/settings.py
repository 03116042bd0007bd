"""Every setting of banwatch, declared once as data and read once at start-up.

A running banwatch builds one frozen `Settings` (`Settings.load`) from, in
order of precedence: the environment (BANWATCH_*), an optional TOML file named
by BANWATCH_SETTINGS, and the defaults declared here. It is passed down from
there: nothing else in banwatch reads the environment. The table in
docs/settings.md is generated from the declarations (by the `settings`
command), and a test fails when it is stale.
"""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from banwatch.errors import BadInput
from banwatch.outputs import without_password

PREFIX = "BANWATCH_"
#: names the settings file; it cannot itself be set in the file
FILE_VARIABLE = "BANWATCH_SETTINGS"
#: per-source download mirrors: BANWATCH_SOURCE_OFAC_SDN, ... and [sources] in the file
MIRROR_PREFIX = "BANWATCH_SOURCE_"


def _number(low: float, high: float, integer: bool = False) -> Callable[[Any, str], float]:
    def parse(value: Any, where: str) -> float:
        try:
            number = float(str(value).strip())
        except ValueError:
            raise BadInput(where, f"{value!r} is not a number") from None
        if integer and not number.is_integer():
            raise BadInput(where, f"{value!r} is not a whole number")
        if not low <= number <= high:
            raise BadInput(where, f"{number:g} is outside {low:g}..{high:g}")
        return int(number) if integer else number

    return parse


def _hosts(value: Any, where: str) -> tuple[str, ...]:
    """Host names: a TOML list, or text separated by commas; "none" for none (an
    empty environment variable is ignored, so this is how it overrides the file)."""
    items = value if isinstance(value, list) else str(value).split(",")
    hosts = tuple(dict.fromkeys(str(item).strip().lower().rstrip(".").removeprefix("[").removesuffix("]")
                                for item in items if str(item).strip()))
    if hosts == ("none",):
        return ()
    for host in hosts:
        try:
            ipaddress.ip_address(host)
        except ValueError:
            if not re.fullmatch(r"[a-z0-9_-]+(\.[a-z0-9_-]+)*", host):
                raise BadInput(where, f"{host!r} is not a host name (give it without a scheme, port or path, "
                               "as in data.example.org)") from None
    return hosts


def _database_url(value: Any, where: str) -> str:
    text = str(value).strip()
    if not re.match(r"postgres(ql)?://", text):
        raise BadInput(where, "is not a PostgreSQL URL (postgresql://user:password@host:5432/database)")
    return text


def _urls(value: Any, where: str) -> tuple[str, ...]:
    items = value if isinstance(value, list) else str(value).split(",")
    urls = tuple(str(item).strip() for item in items if str(item).strip())
    if urls == ("none",):
        return ()
    for url in urls:
        if not re.match(r"https?://[^\s/]+", url):
            raise BadInput(where, f"{url!r} is not an http(s) URL")
    return urls


def _secret(value: Any, where: str) -> str:
    text = str(value).strip()
    if len(text) < 16:
        raise BadInput(where, "at least 16 characters: the receiver checks signatures with it")
    return text


def _path(value: Any, where: str) -> Path:
    text = str(value).strip()
    if not text:
        raise BadInput(where, "is empty")
    return Path(text).expanduser()


@dataclass(frozen=True)
class Declared:
    """One setting: its name (the Settings attribute and the file's key), the
    environment variable, the default as documented, what it means, and how a
    value is read (text from the environment, or a TOML value)."""

    name: str
    default: str
    meaning: str
    parse: Callable[[Any, str], Any]

    @property
    def variable(self) -> str:
        return PREFIX + self.name.upper()


DECLARED: tuple[Declared, ...] = (
    Declared("home", "~/.banwatch", "where the store (banwatch.sqlite), the screening index cache and "
             "downloaded lists live", _path),
    Declared("database_url", "none (the embedded SQLite store in home)", "a PostgreSQL database "
             "(postgresql://user:password@host:5432/name) to keep the list snapshots, entities and API keys in, "
             "shared by every banwatch that names it; the index cache stays in home", _database_url),
    Declared("catalog", "the bundled catalog", "a folder of measure files (*.yaml) to use instead of the "
             "bundled catalog, everywhere: decisions, screening, the estate scan", _path),
    Declared("keep_snapshots", "10", "snapshots kept per list source, the active one included",
             _number(1, 10_000, integer=True)),
    Declared("max_drop", "0.10", "largest share of its entities a list may lose in one load before "
             "the load is refused", _number(0.0, 1.0)),
    Declared("retry_backoff", "1.0", "seconds before the first retry of a failed download; doubles "
             "with each retry", _number(0.0, 60.0)),
    Declared("download_deadline_seconds", "600", "seconds a list source's download may take in all, its files "
             "and retries included; past it the download stops and is refused. Each socket operation also "
             "times out on its own (15 s to connect, 30 s without data)", _number(0.1, 86_400.0)),
    Declared("download_min_bytes_per_second", "1024", "slowest a download may go: once a file has been "
             "transferring for 30 s, fewer bytes a second than this over the last 30 s ends the attempt "
             "(retried like a network error, within the deadline); 0: no minimum",
             _number(0, 1_000_000_000, integer=True)),
    Declared("download_allow_redirect_hosts", "none", "hosts a download may be redirected to besides its own "
             "(where http may become https) and those banwatch knows its publisher uses: comma-separated (in the "
             "file, a list). A redirect to any other host is refused", _hosts),
    Declared("store_lock_timeout_seconds", "60", "seconds a `lists load` or `lists update` waits for another "
             "one that is writing the store before it fails", _number(0.0, 86_400.0)),
    Declared("max_list_age_days", "7", "a list older than this (by its publication date where it has one, "
             "else its load time) gives a warning in every output that relies on it", _number(0, 3650, integer=True)),
    Declared("api_max_batch", "100", "most queries or transactions one batch request to the HTTP service may "
             "hold (more: 422)", _number(1, 100_000, integer=True)),
    Declared("api_max_body_bytes", "16000000", "largest request body the HTTP service reads (more: 413), an "
             "uploaded inventory included", _number(1_000, 10_000_000_000, integer=True)),
    Declared("api_auth_failures_per_minute", "10", "wrong or missing API keys one client address may send in "
             "a minute before it is answered 429 until the minute has passed", _number(1, 1_000_000, integer=True)),
    Declared("webhook_urls", "none", "URLs each new or re-raised alert of a monitor run is POSTed to, as JSON "
             "signed with webhook_secret: comma-separated (in the file, a list); retried with backoff "
             "(retry_backoff)", _urls),
    Declared("webhook_secret", "none", "the key of the HMAC-SHA256 signature of every webhook body (header "
             "X-Banwatch-Signature: sha256=<hex>); without one, webhooks are not sent", _secret),
    Declared("pause_before_commit", "0", "seconds a list load waits inside its transaction: fault "
             "injection for the crash tests, never needed otherwise", _number(0.0, 3600.0)),
)


@dataclass(frozen=True)
class Settings:
    home: Path = field(default_factory=lambda: Path.home() / ".banwatch")
    database_url: str | None = None
    catalog: Path | None = None
    keep_snapshots: int = 10
    max_drop: float = 0.10
    retry_backoff: float = 1.0
    download_deadline_seconds: float = 600.0
    download_min_bytes_per_second: int = 1024
    download_allow_redirect_hosts: tuple[str, ...] = ()
    store_lock_timeout_seconds: float = 60.0
    max_list_age_days: int = 7
    api_max_batch: int = 100
    api_max_body_bytes: int = 16_000_000
    api_auth_failures_per_minute: int = 10
    webhook_urls: tuple[str, ...] = ()
    webhook_secret: str | None = None
    pause_before_commit: float = 0.0
    #: source id -> where to download it from instead of the publisher: a base URL
    #: ending in '/' serving the source's file names, or comma-separated file URLs
    mirrors: Mapping[str, str] = field(default_factory=dict)
    #: setting name -> where its value came from: "default", "environment" or the file's path
    origins: Mapping[str, str] = field(default_factory=dict, compare=False)

    @property
    def store_path(self) -> Path:
        return self.home / "banwatch.sqlite"

    @property
    def index_dir(self) -> Path:
        return self.home / "index"

    @property
    def downloads_dir(self) -> Path:
        return self.home / "downloads"

    @classmethod
    def load(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """The settings of this run: the environment over the settings file over the defaults."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        origins = dict.fromkeys((d.name for d in DECLARED), "default")
        mirrors: dict[str, str] = {}
        settings_file = environ.get(FILE_VARIABLE, "").strip()
        if settings_file:
            path = Path(settings_file).expanduser()
            file_values, file_mirrors = read_file(path)
            values.update(file_values)
            mirrors.update(file_mirrors)
            origins.update(dict.fromkeys(file_values, str(path)))
        for declared in DECLARED:
            text = environ.get(declared.variable, "").strip()
            if text:
                values[declared.name] = declared.parse(text, declared.variable)
                origins[declared.name] = "environment"
        for variable, value in environ.items():
            if variable.startswith(MIRROR_PREFIX) and value.strip():
                mirrors[variable.removeprefix(MIRROR_PREFIX).lower().replace("_", "-")] = value.strip()
        return cls(**values, mirrors=mirrors, origins=origins)

    def describe(self) -> list[dict[str, str]]:
        """Every setting with its value in this run and where the value came from."""
        rows = [{"name": d.name, "variable": d.variable, "value": shown(d, getattr(self, d.name)),
                 "from": self.origins.get(d.name, "default")} for d in DECLARED]
        rows += [{"name": f"sources.{source}", "variable": mirror_variable(source), "value": url,
                  "from": "settings"} for source, url in sorted(self.mirrors.items())]
        return rows


def shown(declared: Declared, value: Any) -> str:
    if value is None:
        return declared.default
    if declared.name == "database_url":  # never a password on the screen
        return without_password(str(value))
    if declared.name == "webhook_secret":
        return "(set)"
    if isinstance(value, tuple):
        return ", ".join(value) or "none"
    return str(value)


def mirror_variable(source: str) -> str:
    """The environment variable of a source's mirror: ofac-sdn -> BANWATCH_SOURCE_OFAC_SDN."""
    return MIRROR_PREFIX + source.upper().replace("-", "_")


def read_file(path: Path) -> tuple[dict[str, Any], dict[str, str]]:
    """(settings, mirrors) of a TOML settings file. Relative paths in it are
    taken from the file's folder, so the file can travel with its catalog."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise BadInput(str(path), f"settings file: {error.strerror or 'cannot be read'}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise BadInput(str(path), f"settings file is not valid TOML: {error}") from None
    known = {d.name: d for d in DECLARED}
    values: dict[str, Any] = {}
    mirrors: dict[str, str] = {}
    for key, value in document.items():
        if key == "sources":
            if not isinstance(value, dict) or not all(isinstance(url, str) for url in value.values()):
                raise BadInput(f"{path} sources", 'a table of source = "URL"')
            mirrors = {source: url.strip() for source, url in value.items() if url.strip()}
            continue
        if key not in known:
            raise BadInput(f"{path} {key}", f"unknown setting; known: {', '.join([*known, 'sources'])}")
        parsed = known[key].parse(value, f"{path} {key}")
        if isinstance(parsed, Path) and not parsed.is_absolute():
            parsed = path.parent / parsed
        values[key] = parsed
    return values, mirrors


assert {d.name for d in DECLARED} == {f.name for f in fields(Settings)} - {"mirrors", "origins"}
