"""The BIS Denied Persons List as BIS publishes it
(https://www.bis.doc.gov/dpl/dpl.txt): tab-separated, every field quoted, a
header row, one row per (person, address).

Mapping decisions:

* type is always ``EntityType.entity``: the DPL does not say whether a row is a
  person or a company.
* one row is one entity, as BIS publishes it: a party at two addresses is two
  rows and two entities (each with its own order dates and citation), and the
  entity count is the row count (581 in the shared snapshot, two of them true
  duplicates of an earlier row). A file in which half the rows or more repeat
  an earlier row's id (the list written twice over) is refused: see UniqueIds.
* a name embedding an alias ("FUYI SUN A/K/A FRANK SUN", "SIBERIAN AIRLINES
  D/B/A S7 AIRLINES") is split into the name and an alias; the name as listed
  is kept in ``properties["listed_name"]``.
* the address's country is the Country column only. It is empty on about a
  third of the rows, mostly US addresses, but it is not inferred from State:
  that column also holds non-US codes ("CY" for a Nicosia address, "RS" for a
  Stavropol one), so a guess would tie entities to the wrong country.
* listed_on is the effective date of the denial order; the expiration date,
  last update, action, standard-order flag and Federal Register citation go to
  properties.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from banwatch.errors import BadInput
from banwatch.lists.reading import country_code, script_of
from banwatch.lists.tabular import Row, UniqueIds, clean, list_file, read_table, row_date, split_aka, stable_hash
from banwatch.model import Address, EntityType, ListedEntity, ListedName, ParsedList

SOURCE = "bis-dpl"
FORMAT = "bis-dpl-tsv"
WHAT = "BIS Denied Persons List"
COLUMNS = ("Name", "Street_Address", "City", "State", "Country", "Postal_Code", "Effective_Date",
           "Expiration_Date", "Standard_Order", "Last_Update", "Action", "FR_Citation")


def read_dpl(path: Path) -> ParsedList:
    """Every row of the Denied Persons List in `path` (dpl.txt, or a folder
    holding it), or BadInput naming the file, the line and the problem."""
    path = list_file(path, ("dpl.txt",), WHAT)
    rows = read_table(path, delimiter="\t", columns=COLUMNS, what=WHAT)
    ids = UniqueIds()
    parsed = ParsedList(source=SOURCE, format=FORMAT, files=[path])
    for row in rows:
        if not clean(row["Name"]):
            raise BadInput(f"{path} line {row.line}", "a row without a name")
        # The DPL publishes no id. The id is made from what identifies a row of
        # a denial order: who (name), where (address) and since when (effective
        # date), so it stays the same on every download while the row does, and
        # a past screening can still point at it. Columns BIS edits in place
        # (Action, Last_Update, FR_Citation) are left out. A second row with the
        # same id gets a "-2" suffix (see UniqueIds): the DPL holds a few true
        # duplicate rows, marked with properties["duplicate_of"].
        base = stable_hash(row["Name"], row["Street_Address"], row["City"], row["State"],
                           row["Country"], row["Postal_Code"], row["Effective_Date"])
        source_id, duplicate_of = ids.allocate(base, tuple(row[column] for column in COLUMNS), row.line)
        parsed.entities.append(_entity(path, source_id, row, duplicate_of))
    ids.check(path, WHAT)
    return parsed


def _entity(path: Path, source_id: str, row: Row, duplicate_of: str | None) -> ListedEntity:
    listed_name = clean(row["Name"])
    name, embedded = split_aka(listed_name)
    aliases = [ListedName(name=alias, kind=kind, script=script_of(alias)) for alias, kind in embedded]

    country_name = row["Country"] or None
    country = country_code(country_name) if country_name else None
    address = Address(street=clean(row["Street_Address"]) or None, city=clean(row["City"]) or None,
                      region=row["State"] or None, postal_code=row["Postal_Code"] or None,
                      country=country, country_name=country_name)

    where = f"{path} line {row.line}"
    effective = row_date(where, row, "Effective_Date")
    properties = {
        "expiration_date": row_date(where, row, "Expiration_Date"),
        "last_update": row_date(where, row, "Last_Update"),
        "standard_order": row["Standard_Order"].upper() or None,
        "action": clean(row["Action"]) or None,
        "fr_citation": clean(row["FR_Citation"]) or None,
        "listed_name": listed_name if embedded else None,
        "duplicate_of": f"{SOURCE}:{duplicate_of}" if duplicate_of else None,
    }
    return ListedEntity(
        id=f"{SOURCE}:{source_id}", source=SOURCE, source_id=source_id, type=EntityType.entity,
        name=name, aliases=aliases,
        addresses=[address] if any(address.model_dump().values()) else [],
        countries=[country] if country else [],
        programs=["Denied Persons List"],
        listed_on=dt.date.fromisoformat(effective) if effective else None,
        properties={key: value for key, value in properties.items() if value},
    )
