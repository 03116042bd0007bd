"""What each list, program and directive forbids, as data
(`legal_effects.yaml`), and which of those effects an entry carries.

An entry's *listing keys* say where it is listed: the list (`list:SDN`, from
the source or the Consolidated Screening List's list code), its programs
(`program:CMIC-EO13959`), the directives OFAC subjects it to
(`directive:EO14024-4`, read from its remarks) and its source
(`source:ofac-cons`). An effect applies to an entry holding one of its
`applies_to` keys, unless the entry holds one of its `unless` keys: a more
precise effect then says what applies (an SSI entry under Directive 2 is
decided by Directive 2, not by the SSI list as a whole).

OFAC's 50 Percent Rule: an entity owned 50% or more, directly or
indirectly, in aggregate, by blocked persons is blocked, listed or not.
`owned_by_blocked` computes it over the ownership the loaded lists carry
(FtM `Ownership` entities, `properties["owned_by"]`), counting a share held
through an entity only when that entity is itself blocked, as OFAC's
guidance counts indirect ownership.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
from collections.abc import Iterable
from pathlib import Path

import yaml

from banwatch.model import LegalEffect, ListedEntity, ListingEffect

REGISTRY = Path(__file__).with_name("legal_effects.yaml")
#: the list code of a source that is one list (the CSL says its rows' lists itself)
SOURCE_LISTS = {"ofac-sdn": "SDN", "bis-dpl": "DPL", "un": "UN"}
DIRECTIVE = re.compile(r"Subject to Directive (\w+)", re.IGNORECASE)
EXECUTIVE_ORDER_KEY = re.compile(r"executive_order_(\d+)")
#: an owner's share as `owned_by` writes it: '<banwatch id>=<percent>'
OWNER_SHARE = re.compile(r"^(?P<owner>.+)=(?P<share>\d+(?:\.\d+)?)$")
BLOCKING_SHARE = 50.0


@functools.cache
def registry() -> tuple[LegalEffect, ...]:
    data = yaml.safe_load(REGISTRY.read_text(encoding="utf-8"))
    return tuple(LegalEffect.model_validate(item) for item in data["effects"])


@functools.cache
def registry_digest() -> str:
    """What the effects an index holds were computed from: this module and its data."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update(REGISTRY.read_bytes())
    return digest.hexdigest()


def effect(effect_id: str) -> LegalEffect:
    return next(item for item in registry() if item.id == effect_id)


def listing_keys(entity: ListedEntity) -> set[str]:
    keys = {f"source:{entity.source}"}
    code = entity.properties.get("list_code") or SOURCE_LISTS.get(entity.source)
    if code:
        keys.add(f"list:{code}")
    keys.update(f"program:{program}" for program in entity.programs)
    for key, value in entity.properties.items():
        if order := EXECUTIVE_ORDER_KEY.match(key):
            keys.update(f"directive:EO{order[1]}-{number.upper()}" for number in DIRECTIVE.findall(value))
    return keys


def _held(keys: set[str], patterns: Iterable[str]) -> bool:
    return any(key == pattern or (pattern[-1] in "-:" and key.startswith(pattern))
               for pattern in patterns for key in keys)


def effects_of(entity: ListedEntity) -> list[ListingEffect]:
    """The legal effects of `entity`'s own listing, each with the entry's
    particulars filled in."""
    keys = listing_keys(entity)
    return [applied(item, entity) for item in registry()
            if _held(keys, item.applies_to) and not _held(keys, item.unless)]


def effects_by_entity(entities: Iterable[ListedEntity]) -> dict[str, list[ListingEffect]]:
    """Every entity's legal effects (those with any): its listing's, and the 50
    Percent Rule's where blocked persons own it (`owned_by_blocked`): what
    `Screener.from_entities` is given."""
    entities = list(entities)
    found = {entity.id: effects_of(entity) for entity in entities}
    blocked = {entity_id for entity_id, effects in found.items() if any(item.blocking for item in effects)}
    rule = effect("ofac-50-percent-rule")
    for owned, (share, path) in owned_by_blocked(entities, blocked).items():
        found[owned].append(ListingEffect(id=rule.id, list=rule.list, bound=rule.bound, certain_hit=rule.certain_hit,
                                          citation=rule.citation, blocking=True, measure=rule.measure,
                                          prohibits=rule.prohibits.format(share=f"{share:g}", path=path)))
    return {entity_id: effects for entity_id, effects in found.items() if effects}


def applied(item: LegalEffect, entity: ListedEntity) -> ListingEffect:
    """`item` for this entry: its sentence with the entry's properties (a
    licence requirement, a policy) and an expiry the entry states."""
    particulars = _Particulars(entity.properties)
    expiry = entity.properties.get("end_date") or entity.properties.get("expiration_date")
    return ListingEffect(id=item.id, list=item.list, prohibits=item.prohibits.format_map(particulars),
                         bound=item.bound, certain_hit=item.certain_hit, citation=item.citation,
                         blocking=item.blocking, effective=item.effective, measure=item.measure,
                         expired=dt.date.fromisoformat(expiry) if expiry else None)


class _Particulars(dict):
    """An entry's properties for a sentence: a property the entry lacks reads 'not stated'."""

    #: what another reader calls the same property (the DPL file's own column for the CSL's)
    ALTERNATES = {"federal_register_notice": "fr_citation"}

    def __missing__(self, key: str) -> str:
        alternate = self.ALTERNATES.get(key)
        if alternate is not None and alternate in self:
            return self[alternate]
        return "not stated in the entry"


def owned_by_blocked(entities: Iterable[ListedEntity], listed_blocked: set[str]
                     ) -> dict[str, tuple[float, str]]:
    """Every entity blocked by OFAC's 50 Percent Rule and not by its own
    listing: entity id -> (the share blocked persons own, the ownership path
    in words). Blocked persons are `listed_blocked` (the entries with a
    blocking effect); an entity they own 50% or more of in aggregate is
    blocked, and what it owns counts in turn. A share held through an
    unblocked entity does not count."""
    entities = list(entities)
    names = {entity.id: entity.name for entity in entities}
    owners_of: dict[str, list[tuple[str, float]]] = {}
    for entity in entities:
        for item in filter(None, entity.properties.get("owned_by", "").split("; ")):
            if share := OWNER_SHARE.match(item):
                owners_of.setdefault(entity.id, []).append((share["owner"], float(share["share"])))
    if not owners_of:  # no ownership loaded: nothing to compute
        return {}
    blocked: dict[str, str] = dict.fromkeys(listed_blocked, "")  # -> how it is blocked, if not by its listing
    found: dict[str, tuple[float, str]] = {}
    changed = True
    while changed:  # to a fixed point: a newly blocked entity's holdings count in the next round
        changed = False
        for owned, owners in owners_of.items():
            if owned in blocked:
                continue
            held = [(owner, share) for owner, share in owners if owner in blocked]
            total = sum(share for _owner, share in held)
            if total >= BLOCKING_SHARE:
                path = "; ".join(f"{share:g}% by {names.get(owner, owner)} ({owner}"
                                 + (f", itself {blocked[owner]}" if blocked[owner] else "") + ")"
                                 for owner, share in held)
                blocked[owned] = f"owned {path}"
                found[owned] = (total, path)
                changed = True
    return found
