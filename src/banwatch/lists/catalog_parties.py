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
  properties ``{"measure_id": ..., "party_id": ...}``.
* party_id: the id of the party's entity in the first measure (catalog order)
  that names it, the same on every entity of that party (`same_party`). A
  party named in several measures is screened once under that id, with the
  names, identifiers and measures of all its entities (`Screener.from_entities`).
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


def _details(entity: ListedEntity) -> dict[str, set[str]]:
    """What tells two parties of one name apart: their countries, birth years and
    identifiers (by type, normalised to letters and digits, upper case)."""
    details: dict[str, set[str]] = {"countries": set(entity.countries) | set(entity.nationalities),
                                    "birth years": {date[:4] for date in entity.birth_dates}}
    for identifier in entity.identifiers:
        value = "".join(char for char in identifier.value.upper() if char.isalnum())
        details.setdefault(f"identifier {identifier.type.lower()}", set()).add(value)
    return details


def same_party(one: tuple[Measure, Party, ListedEntity], other: tuple[Measure, Party, ListedEntity]) -> bool:
    """Whether two catalog parties are one party named by two measures.

    The rule, strict because a wrong merge would hide that two parties are
    listed (a wrong split only shows one party twice, as before):
    * they belong to different measures: two parties of one measure are two
      parties (the measure lists them apart, even under one name);
    * they are the same kind (person, organization);
    * the name of one, as a slug, is the name or an alias of the other (FAR
      52.204-23 names "Kaspersky Lab" with the alias "AO Kaspersky Lab", the
      ICTS rule "AO Kaspersky Lab"). Brands do not count: a parent and its
      subsidiaries trade under one brand ("Kaspersky": AO Kaspersky Lab and
      Kaspersky Lab, Inc.);
    * nothing that identifies them disagrees: where both give countries, birth
      dates, or identifiers of one type (passport, OFAC entity number, website),
      they share one. The ICTS rule gives Kaspersky Lab, Inc. (US) the alias
      "Kaspersky Lab", the FAR's name of the Russian parent (RU): two parties.
      A detail only one of them gives (a website one measure does not print)
      does not part them.
    """
    (measure, party, entity), (other_measure, other_party, other_entity) = one, other
    if measure.id == other_measure.id:
        return False
    names = {slug(party.name)} | {slug(alias.name) for alias in party.aliases}
    other_names = {slug(other_party.name)} | {slug(alias.name) for alias in other_party.aliases}
    if slug(party.name) not in other_names and slug(other_party.name) not in names:
        return False
    return _agree(entity, other_entity)


def _agree(entity: ListedEntity, other: ListedEntity) -> bool:
    """Same kind, and no country, birth year or identifier type that both give without sharing a value."""
    if entity.type is not other.type:
        return False
    details = _details(entity)
    return all(not details.get(kind) or not values or details[kind] & values
               for kind, values in _details(other).items())


def catalog_entities(measures: Iterable[Measure]) -> ParsedList:
    """Every party of every measure as a ListedEntity."""
    named: list[tuple[Measure, Party, ListedEntity]] = []
    for measure in measures:
        taken: set[str] = set()
        for party in measure.parties:
            base = candidate = slug(party.name)
            number = 1
            while candidate in taken:
                number += 1
                candidate = f"{base}-{number}"
            taken.add(candidate)
            named.append((measure, party, party_entity(measure, party, candidate)))
    # One party, one party_id: in catalog order, a party joins the first party
    # seen that it is the same as and that no other party of the group (nor its
    # own measure) tells apart, so that a chain of near names cannot merge two
    # parties that differ.
    groups: list[list[tuple[Measure, Party, ListedEntity]]] = []
    for item in named:
        group = next((group for group in groups if any(same_party(item, member) for member in group)
                      and all(member[0].id != item[0].id and _agree(item[2], member[2]) for member in group)),
                     None)
        if group is None:
            groups.append(group := [])
        group.append(item)
    party_of = {entity.id: group[0][2].id for group in groups for _, _, entity in group}
    entities = [entity.model_copy(update={"properties": {**entity.properties, "party_id": party_of[entity.id]}})
                for _, _, entity in named]
    return ParsedList(source=SOURCE, format=FORMAT, files=[], entities=entities)
