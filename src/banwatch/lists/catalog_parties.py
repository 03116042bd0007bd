"""The parties of the restriction catalog as a list: every party of every
measure becomes a `ListedEntity` (source "catalog"), so that the people and
companies the catalog names are screened like the entries of the official lists.

Mapping decisions:

* id ``catalog:<measure id>/<slug of the party name>`` (``catalog:us-ofac-
  kaspersky-leadership-2024/tikhonov-andrei-gennadyevich``): stable as long as
  the name is; a second party of the same measure with the same slug gets
  ``-2``, ``-3``, ... in catalog order. A party named in several measures is one
  entity per measure (each with its own program, dates and remarks).
* aliases: the party's aliases (kind aka, their script, Latn -> None as for
  every list) and then its brands (kind aka, script from the letters); a name
  equal to one already there (ignoring case) is left out.
* identifiers: ``dob`` -> birth_dates, ``pob`` -> birth_places, ``nationality``
  -> nationalities (ISO alpha-2 when it resolves), ``gender`` -> gender (lower
  case, as the OFAC reader writes it); every other identifier is kept with its
  type. An identifier note that is only a country name ("Russia", as the SDN
  entry writes a passport's issuing country) also gives the identifier's country.
* programs ``[measure id]``; remarks: "<measure title> — <citation>", then the
  party's note on a new line when it has one, and why its coverage is uncertain
  ("Uncertain: ...") when it is (e.g. a designation apparently removed since);
  properties ``{"measure_id": ...}``.
* listed_on: the party's own ``listed`` date, else the effective date of the
  first phase that concerns the party (its first ``phases`` entry, or the
  measure's first phase when it names none).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from rigour.text import ascii_text

from banwatch.lists.reading import country_code, iso_date, script_of
from banwatch.model import (
    Address,
    EntityType,
    ListedEntity,
    ListedIdentifier,
    ListedName,
    Measure,
    NameKind,
    ParsedList,
    Party,
)

SOURCE = "catalog"
FORMAT = "catalog"

#: identifier types that are personal details, not identifiers
DETAIL_TYPES = {"dob", "pob", "nationality", "gender"}


def slug(name: str) -> str:
    """'TIKHONOV, Andrei Gennadyevich' -> 'tikhonov-andrei-gennadyevich';
    non-Latin names are transliterated first."""
    return re.sub(r"[^a-z0-9]+", "-", ascii_text(name).lower()).strip("-") or "party"


def _script(code: str | None) -> str | None:
    return None if code in (None, "Latn") else code


def _aliases(party: Party) -> list[ListedName]:
    seen = {party.name.casefold()}
    aliases: list[ListedName] = []
    candidates = [(alias.name, _script(alias.script)) for alias in party.aliases]
    candidates += [(brand, script_of(brand)) for brand in party.brands]
    for name, script in candidates:
        if name.casefold() not in seen:
            seen.add(name.casefold())
            aliases.append(ListedName(name=name, kind=NameKind.aka, script=script))
    return aliases


def _listed_on(measure: Measure, party: Party) -> date:
    if party.listed:
        return party.listed
    phases = {phase.id: phase for phase in measure.phases}
    first = phases[party.phases[0]] if party.phases else measure.phases[0]
    return first.effective


def party_entity(measure: Measure, party: Party, party_slug: str) -> ListedEntity:
    birth_dates: list[str] = []
    birth_places: list[str] = []
    nationalities: list[str] = []
    identifiers: list[ListedIdentifier] = []
    gender: str | None = None
    for identifier in party.identifiers:
        kind, value = identifier.type.lower(), identifier.value.strip()
        if kind == "dob":
            birth_dates.append(iso_date(value) or value)
        elif kind == "pob":
            birth_places.append(value)
        elif kind == "nationality":
            nationalities.append(country_code(value) or value)
        elif kind == "gender":
            gender = value.lower()
        else:
            country = country_code(identifier.note) if identifier.note else None
            identifiers.append(ListedIdentifier(type=identifier.type, value=value,
                                                country=country, note=identifier.note))
    remarks = f"{measure.title} — {measure.citation}"
    if party.note:
        remarks += f"\n{party.note.strip()}"
    if party.uncertain:
        remarks += f"\nUncertain: {party.uncertain.strip()}"
    source_id = f"{measure.id}/{party_slug}"
    return ListedEntity(
        id=f"{SOURCE}:{source_id}",
        source=SOURCE,
        source_id=source_id,
        type=EntityType.person if party.kind == "person" else EntityType.organization,
        name=party.name,
        aliases=_aliases(party),
        addresses=[Address(street=text) for text in party.addresses],
        countries=list(dict.fromkeys(party.countries)),
        nationalities=list(dict.fromkeys(nationalities)),
        birth_dates=list(dict.fromkeys(birth_dates)),
        birth_places=list(dict.fromkeys(birth_places)),
        identifiers=identifiers,
        programs=[measure.id],
        gender=gender,
        remarks=remarks,
        listed_on=_listed_on(measure, party),
        properties={"measure_id": measure.id},
    )


def catalog_entities(measures: Iterable[Measure]) -> ParsedList:
    """Every party of every measure as a ListedEntity."""
    entities: list[ListedEntity] = []
    for measure in measures:
        taken: set[str] = set()
        for party in measure.parties:
            base = candidate = slug(party.name)
            number = 1
            while candidate in taken:
                number += 1
                candidate = f"{base}-{number}"
            taken.add(candidate)
            entities.append(party_entity(measure, party, candidate))
    return ParsedList(source=SOURCE, format=FORMAT, files=[], entities=entities)
