"""Build src/banwatch/match/given_names.tsv: which words are the same given
(or family) name, from rigour's person-name tagger (OpenSanctions' table of
name forms grouped by Wikidata item, plus nicknames: Bill/William).

    .venv/bin/pip install -e '.[bench]'      # Faker, for the query-side vocabulary
    .venv/bin/python benchmarks/make_given_names.py

Why a generated file and not the tagger at run time: loading rigour's tagger
takes about 5 s and 430 MB in every process, which would triple the time of a
single `banwatch screen`. The table is looked up like any dict.

The words looked up are every word of a person's name on the lists in
../shared/data and the catalog (the listed side) and every first and last name
Faker has in its locales (the query side, transliterated as banwatch does). A
line is kept when its word shares a NAME or NICK symbol with another word of
the table: `word<TAB>symbol symbol ...`.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from banwatch.catalog import bundled_catalog  # noqa: E402
from banwatch.lists.catalog_parties import catalog_entities  # noqa: E402
from banwatch.lists.sources import read_list  # noqa: E402
from banwatch.match.normalise import words  # noqa: E402
from banwatch.model import EntityType  # noqa: E402
from bench_speed import LISTS, name_parts  # noqa: E402

OUT = ROOT / "src" / "banwatch" / "match" / "given_names.tsv"


def vocabulary() -> set[str]:
    entities = [entity for path in LISTS for entity in read_list(path).entities] + catalog_entities(bundled_catalog()).entities
    found = {word for entity in entities if entity.type is EntityType.person
             for text in [entity.name, *(alias.name for alias in entity.aliases)] for word in words(text)}
    firsts, lasts, _origin = name_parts()
    found |= {word for name in [*firsts, *lasts] for word in words(name)}
    return {word for word in found if word.isalpha() and len(word) >= 2}


def main() -> None:
    from rigour.names import NameTypeTag, SymbolCategory, analyze_names  # noqa: PLC0415

    wanted = (SymbolCategory.NAME, SymbolCategory.NICK)
    symbols: dict[str, set[str]] = {}
    for word in sorted(vocabulary()):
        for name in analyze_names(NameTypeTag.PER, [word]):
            ids = {str(symbol.id) for symbol in name.symbols if symbol.category in wanted}
            if ids:
                symbols.setdefault(word, set()).update(ids)
    words_of: dict[str, set[str]] = defaultdict(set)
    for word, ids in symbols.items():
        for symbol in ids:
            words_of[symbol].add(word)
    lines = []
    for word, ids in sorted(symbols.items()):
        shared = sorted(symbol for symbol in ids if len(words_of[symbol]) > 1)
        if shared:
            lines.append(f"{word}\t{' '.join(shared)}")
    OUT.write_text("# word<TAB>symbols it shares with other words; made by benchmarks/make_given_names.py "
                   "from rigour's person-name tagger\n" + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines):,} words in {OUT} ({OUT.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
