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

from collections.abc import Iterable

from banwatch.errors import BadInput
from banwatch.match.index import IndexedEntity, IndexedName, ScreeningIndex, name_key
from banwatch.match.score import QUERY_SHARE, compare, word_matches
from banwatch.model import EntityType, ListedEntity, NameKind, ScreeningHit, ScreenQuery

#: the default alert threshold; benchmarks/bench_quality.py measures it
DEFAULT_THRESHOLD = 0.80
#: the most the secondary fields can add (birth year +0.05, country +0.03)
BEST_BONUS = 0.08
DEFAULT_LIMIT = 10


class Screener:
    """Screens names against an index built once from the loaded lists."""

    def __init__(self, index: ScreeningIndex):
        self.index = index

    @classmethod
    def from_entities(cls, entities: Iterable[ListedEntity]) -> Screener:
        listed = list(entities)
        measures_of = {entity.id: [entity.properties["measure_id"]] for entity in listed
                       if "measure_id" in entity.properties}
        return cls(ScreeningIndex.build(listed, measures_of))

    def screen(self, query: ScreenQuery, threshold: float = DEFAULT_THRESHOLD,
               limit: int = DEFAULT_LIMIT) -> list[ScreeningHit]:
        tokens, sounds, legal = name_key(query.name)
        if not tokens:
            raise BadInput("name", f"{query.name!r} has no letters or digits to screen")
        index = self.index
        weights = list(index.scaled_weights(tokens, legal))
        # With at most BEST_BONUS from the secondary fields, a name must be able to
        # score threshold - BEST_BONUS to be worth scoring.
        best: dict[int, tuple[float, IndexedName, list[tuple]]] = {}
        for name_id in index.candidates(tokens, sounds, weights, threshold - BEST_BONUS, QUERY_SHARE):
            listed = index.names[name_id]
            entity = index.entities[listed.entity]
            person = query.type is EntityType.person or entity.type is EntityType.person
            score, evidence = compare(tokens, sounds, weights, listed, person)
            if listed.kind is NameKind.weak:
                score *= 0.9
            current = best.get(listed.entity)
            if current is None or score > current[0]:
                best[listed.entity] = (score, listed, evidence)
        shared_identifier = self.identifier_matches(query)  # once per query, not per candidate
        for position in shared_identifier:
            if position not in best:
                listed = next(name for name in index.names if name.entity == position)
                best[position] = (0.0, listed, [])

        hits = []
        for position, (name_score, listed, evidence) in best.items():
            entity = index.entities[position]
            shares_identifier = position in shared_identifier
            if name_score < threshold - BEST_BONUS and not shares_identifier:
                continue
            score, adjustments = adjust(name_score, query, entity, shares_identifier)
            if score >= threshold:
                hits.append(self.hit(query, entity, listed, name_score, score, evidence, adjustments))
        hits.sort(key=lambda hit: (-hit.score, hit.entity_id))
        return hits[:limit]

    def identifier_matches(self, query: ScreenQuery) -> set[int]:
        return {position for value in query.identifiers for position in self.index.entities_with_identifier(value)}

    @staticmethod
    def hit(query: ScreenQuery, entity: IndexedEntity, listed: IndexedName, name_score: float, score: float,
            evidence: list[tuple], adjustments: list[str]) -> ScreeningHit:
        words = word_matches(evidence)
        explanation = explain(query.name, entity, listed, score, evidence, adjustments)
        return ScreeningHit(entity_id=entity.id, name=listed.text, name_kind=listed.kind, source=entity.source,
                            type=entity.type, score=round(score, 3), name_score=round(name_score, 3), words=words,
                            adjustments=adjustments, explanation=explanation, programs=list(entity.programs),
                            countries=sorted(entity.countries), measures=list(entity.measures))


def adjust(name_score: float, query: ScreenQuery, entity: IndexedEntity,
           shares_identifier: bool) -> tuple[float, list[str]]:
    """The final score from the name score and the secondary fields, with a
    phrase for every change."""
    if shares_identifier:
        return 1.0, ["an identifier matches exactly: decisive"]
    score, notes = name_score, []
    if query.type is not None and entity.type not in (query.type, EntityType.entity):
        score *= 0.8
        notes.append(f"listed as {entity.type.value}, not {query.type.value} (x0.8)")
    if query.birth_date and entity.birth_years:
        year = int(query.birth_date[:4])
        if year in entity.birth_years:
            score += 0.05
            notes.append(f"birth year {year} matches (+0.05)")
        elif min(abs(year - listed) for listed in entity.birth_years) > 1:
            score *= 0.75
            years = ", ".join(str(y) for y in sorted(entity.birth_years))
            notes.append(f"born {year}, listed {years} (x0.75)")
    if query.country and entity.countries:
        if query.country in entity.countries:
            score += 0.03
            notes.append(f"country {query.country} matches (+0.03)")
        else:
            # Lists name only some of an entry's countries (Banco Nacional de Cuba: CH, ES, JP, PA),
            # so another country is weak evidence against.
            score *= 0.95
            notes.append(f"country {query.country} not among {', '.join(sorted(entity.countries))} (x0.95)")
    return min(score, 1.0), notes


def explain(query_name: str, entity: IndexedEntity, listed: IndexedName, score: float,
            evidence: list[tuple], adjustments: list[str]) -> str:
    parts = []
    for query_word, listed_word, how, similarity, _weight in evidence:
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
