"""Screen a name against every loaded list: candidates from the index, a score
per candidate name, the secondary fields, and an explanation of every hit.

Secondary fields move the score, never silently:
- an identifier the query and the entity share makes the hit certain (1.0);
- a birth year on both sides that matches adds 0.05, one that is clearly
  different (more than a year apart) multiplies the score by 0.75;
- a country that matches adds 0.03, one that does not multiplies it by 0.95
  (lists name only some of an entry's countries);
- a different type (a person against a company) multiplies it by 0.8;
- a weak alias (OFAC's own "weak a.k.a.", UN "low quality") multiplies it by 0.9.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from banwatch.errors import BadInput
from banwatch.match.index import IndexedEntity, IndexedName, ScreeningIndex, name_key
from banwatch.match.config import SCORING
from banwatch.match.normalise import written_forms
from banwatch.match.score import compare, word_matches
from banwatch.model import EntityType, ListedEntity, ListingEffect, NameKind, ScreeningHit, ScreenQuery

#: the default alert threshold (config.SCORING); benchmarks/bench_quality.py and bench_pairs.py measure it
DEFAULT_THRESHOLD = SCORING.threshold
DEFAULT_LIMIT = 10


class Screener:
    """Screens names against an index built once from the loaded lists."""

    def __init__(self, index: ScreeningIndex):
        self.index = index

    @classmethod
    def from_entities(cls, entities: Iterable[ListedEntity],
                      effects: Mapping[str, Sequence[ListingEffect]] | None = None) -> Screener:
        """A screener over `entities`; `effects`: the legal effects of each
        entry's listing by entity id (`banwatch.lists.legal_effects.effects_by_entity`),
        which its hits carry."""
        # The catalog lists a party once per measure that names it (each entity with that measure's program,
        # dates and remarks: banwatch.lists.catalog_parties), and gives the entities that are one party one
        # `party_id` (the rule is there, where the parties are known). A screener shows a party once: the
        # entities of one party_id are indexed as one entity under that id (the party's entity in the first
        # measure naming it), with the names, countries, birth dates and identifiers of all of them, and
        # every measure naming it as its measures, in catalog order. Only catalog entities (those with a
        # measure_id) are merged: two entries of the official lists stay two hits, whatever their names.
        # The decide layer does not mind: it decides catalog parties by their measures, not by these hits.
        listed: list[ListedEntity | str] = []  # a str: the place of a party's merged entity
        parties: dict[str, list[ListedEntity]] = {}
        for entity in entities:
            if "measure_id" not in entity.properties:
                listed.append(entity)
                continue
            party = entity.properties.get("party_id", entity.id)  # none: a catalog list stored before party_id
            if party not in parties:
                listed.append(party)
            parties.setdefault(party, []).append(entity)
        measures_of: dict[str, list[str]] = {}

        def one_party(party: str) -> ListedEntity:
            members = parties[party]
            head = next((member for member in members if member.id == party), members[0])
            measures_of[head.id] = list(dict.fromkeys(member.properties["measure_id"] for member in members))
            if len(members) == 1:
                return head
            seen, aliases = {head.name.casefold()}, []
            for member in (head, *members):  # another measure's name for the party is an alias of it
                for alias in [{"name": member.name, "kind": NameKind.aka}, *map(dict, member.aliases)]:
                    if alias["name"].casefold() not in seen:
                        seen.add(alias["name"].casefold())
                        aliases.append(alias)
            union = {field: list(dict.fromkeys(value for member in members for value in getattr(member, field)))
                     for field in ("addresses", "countries", "nationalities", "birth_dates", "birth_places",
                                   "identifiers", "programs")}
            return ListedEntity.model_validate({**dict(head), **union, "aliases": aliases})

        return cls(ScreeningIndex.build([one_party(item) if isinstance(item, str) else item for item in listed],
                                        measures_of, effects))

    def screen(self, query: ScreenQuery, threshold: float = DEFAULT_THRESHOLD,
               limit: int = DEFAULT_LIMIT) -> list[ScreeningHit]:
        key = name_key(query.name)
        if not key.tokens:
            raise BadInput("name", f"{query.name!r} has no letters or digits to screen")
        index, config = self.index, SCORING
        weights = list(index.scaled_weights(key.tokens, key.legal))
        # With at most best_bonus from the secondary fields, a name must be able to
        # score threshold - best_bonus to be worth scoring.
        least = threshold - config.best_bonus
        best: dict[int, tuple[float, IndexedName, list[tuple], list[str]]] = {}
        query_person = query.type is EntityType.person
        for name_id in index.candidates(key, weights, least, config.query_share, query_person):
            listed = index.names[name_id]
            entity = index.entities[listed.entity]
            person = query_person or entity.type is EntityType.person
            score, evidence, conflicts = compare(key, weights, listed, person, least)
            if listed.kind is NameKind.weak:
                score *= config.weak_alias
                conflicts = [*conflicts, f"a weak alias (x{config.weak_alias})"]
            current = best.get(listed.entity)
            if current is None or score > current[0]:
                best[listed.entity] = (score, listed, evidence, conflicts)
        shared_identifier = self.identifier_matches(query)  # once per query, not per candidate
        for position in shared_identifier:
            if position not in best:
                listed = next(name for name in index.names if name.entity == position)
                best[position] = (0.0, listed, [], [])

        hits = []
        for position, (name_score, listed, evidence, conflicts) in best.items():
            entity = index.entities[position]
            shares_identifier = position in shared_identifier
            if name_score < least and not shares_identifier:
                continue
            score, adjustments = adjust(name_score, query, entity, shares_identifier)
            if score >= threshold:
                hits.append(self.hit(query, entity, listed, name_score, score, evidence,
                                     [*conflicts, *adjustments]))
        hits.sort(key=lambda hit: (-hit.score, hit.entity_id))
        return hits[:limit]

    def identifier_matches(self, query: ScreenQuery) -> set[int]:
        return {position for value in query.identifiers for position in self.index.entities_with_identifier(value)}

    @staticmethod
    def hit(query: ScreenQuery, entity: IndexedEntity, listed: IndexedName, name_score: float, score: float,
            evidence: list[tuple], adjustments: list[str]) -> ScreeningHit:
        words = word_matches(evidence)
        explanation = explain(query.name, entity, listed, score, evidence, adjustments)
        if entity.measures:  # a catalog party: one hit, whichever measures name it (from_entities)
            named_by = (f"{len(entity.measures)} measures: " if len(entity.measures) > 1 else "") + \
                ", ".join(entity.measures)
            explanation += f" Named in the catalog by {named_by}."
        return ScreeningHit(entity_id=entity.id, name=listed.text, name_kind=listed.kind, source=entity.source,
                            type=entity.type, score=round(score, 3), name_score=round(name_score, 3), words=words,
                            adjustments=adjustments, explanation=explanation, programs=list(entity.programs),
                            countries=sorted(entity.countries), measures=list(entity.measures),
                            effects=list(entity.effects))


def adjust(name_score: float, query: ScreenQuery, entity: IndexedEntity,
           shares_identifier: bool) -> tuple[float, list[str]]:
    """The final score from the name score and the secondary fields, with a
    phrase for every change."""
    if shares_identifier:
        return 1.0, ["an identifier matches exactly: decisive"]
    config = SCORING
    score, notes = name_score, []
    if query.type is not None and entity.type not in (query.type, EntityType.entity):
        score *= config.type_conflict
        notes.append(f"listed as {entity.type.value}, not {query.type.value} (x{config.type_conflict})")
    if query.birth_date and entity.birth_years:
        year = int(query.birth_date[:4])
        if year in entity.birth_years:
            score += config.birth_year_bonus
            notes.append(f"birth year {year} matches (+{config.birth_year_bonus})")
        elif min(abs(year - listed) for listed in entity.birth_years) > 1:
            score *= config.birth_year_conflict
            years = ", ".join(str(y) for y in sorted(entity.birth_years))
            notes.append(f"born {year}, listed {years} (x{config.birth_year_conflict})")
    if query.country and entity.countries:
        if query.country in entity.countries:
            score += config.country_bonus
            notes.append(f"country {query.country} matches (+{config.country_bonus})")
        else:
            # Lists name only some of an entry's countries (Banco Nacional de Cuba: CH, ES, JP, PA),
            # so another country is weak evidence against.
            score *= config.country_conflict
            notes.append(f"country {query.country} not among {', '.join(sorted(entity.countries))} "
                         f"(x{config.country_conflict})")
    return min(score, 1.0), notes


def explain(query_name: str, entity: IndexedEntity, listed: IndexedName, score: float,
            evidence: list[tuple], adjustments: list[str]) -> str:
    parts = []
    # a word written in another script is shown as written beside its Latin form: 'صدام (sdam)'
    query_forms, listed_forms = written_forms(query_name), written_forms(listed.text)
    for query_word, listed_word, how, similarity, _weight in evidence:
        if query_word in query_forms:
            query_word = f"{query_forms[query_word]} ({query_word})"
        if listed_word in listed_forms:
            listed_word = f"{listed_forms[listed_word]} ({listed_word})"
        if query_word and listed_word:
            parts.append(f"{query_word} = {listed_word}" if how == "same"
                         else f"{query_word} ~ {listed_word} ({how} {similarity:.2f})")
        elif query_word:
            parts.append(f"'{query_word}' not in the listed name")
        else:
            parts.append(f"'{listed_word}' not in the query")
    kind = "" if listed.kind is NameKind.primary else f" ({listed.kind.value} name)"
    sentence = (f"'{query_name}' matches '{listed.text}'{kind} of {entity.id} ({entity.name}) "
                f"with score {score:.2f}: {'; '.join(parts)}")
    if adjustments:
        sentence += "; " + "; ".join(adjustments)
    return sentence + "."
