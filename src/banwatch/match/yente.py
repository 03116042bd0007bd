"""Matching in the shape of OpenSanctions' yente `/match` API, so that clients
written for yente can screen against banwatch (the service exposes it).

A request is `{"queries": {"<key>": {"schema": "Person", "properties":
{"name": [...], "birthDate": [...], "nationality": [...], ...}}}}`. The answer is
`{"responses": {"<key>": {"status": 200, "results": [...], "total": {...},
"query": {...}}}}`. Each result carries yente's fields (id, caption, schema,
score, match, datasets, properties) plus banwatch's explanation.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from banwatch.errors import BadInput
from banwatch.match.screen import DEFAULT_LIMIT, DEFAULT_THRESHOLD, Screener
from banwatch.model import EntityType, ScreeningHit, ScreenQuery

SCHEMA_TYPES = {
    "Person": EntityType.person,
    "Organization": EntityType.organization,
    "Company": EntityType.organization,
    "PublicBody": EntityType.organization,
    "LegalEntity": None,
    "Thing": None,
    "Vessel": EntityType.vessel,
    "Airplane": EntityType.aircraft,
}
TYPE_SCHEMAS = {EntityType.person: "Person", EntityType.organization: "Organization",
                EntityType.vessel: "Vessel", EntityType.aircraft: "Airplane", EntityType.entity: "LegalEntity"}
NAME_PROPERTIES = ("name", "alias", "previousName", "weakAlias", "firstName", "lastName")
IDENTIFIER_PROPERTIES = ("idNumber", "passportNumber", "taxNumber", "registrationNumber", "imoNumber",
                         "swiftBic", "innCode", "ogrnCode", "leiCode")
MAX_QUERIES = 100


def match_queries(payload: Any, screener: Screener, threshold: float = DEFAULT_THRESHOLD,
                  limit: int = DEFAULT_LIMIT, cutoff: float = 0.0, exclude: frozenset[str] = frozenset(),
                  sources: frozenset[str] | None = None) -> dict[str, Any]:
    """yente's /match: every query's results at or above `cutoff` (yente's
    default 0: all it finds; banwatch finds none below `threshold`'s own
    least score), `match` true at or above `threshold`; not the entities of
    `exclude`; only those of `sources` (a dataset of one list) when given."""
    if not isinstance(payload, dict) or not isinstance(payload.get("queries"), dict):
        raise BadInput("queries", 'the body must be {"queries": {"<key>": {"schema": ..., "properties": ...}}}')
    queries = payload["queries"]
    if len(queries) > MAX_QUERIES:
        raise BadInput("queries", f"{len(queries)} queries in one request; at most {MAX_QUERIES}")
    least = min(threshold, cutoff) if cutoff else threshold
    responses = {}
    for key, example in queries.items():
        screen_queries = to_screen_queries(example, f"queries.{key}")
        hits: dict[str, ScreeningHit] = {}
        for query in screen_queries:
            for hit in screener.screen(query, threshold=least, limit=limit + len(exclude)):
                if hit.entity_id in exclude or (sources is not None and hit.source not in sources):
                    continue
                if hit.score >= cutoff and (hit.entity_id not in hits or hit.score > hits[hit.entity_id].score):
                    hits[hit.entity_id] = hit
        ranked = sorted(hits.values(), key=lambda hit: (-hit.score, hit.entity_id))[:limit]
        responses[key] = {
            "status": 200,
            "results": [result(hit, threshold) for hit in ranked],
            "total": {"value": len(ranked), "relation": "eq"},
            "query": example,
        }
    return {"responses": responses, "limit": limit}


def to_screen_queries(example: Any, where: str) -> list[ScreenQuery]:
    """One ScreenQuery per name of a yente query entity (yente scores them all)."""
    if not isinstance(example, dict):
        raise BadInput(where, "a query must be an object with schema and properties")
    schema = example.get("schema")
    if schema not in SCHEMA_TYPES:
        raise BadInput(f"{where}.schema", f"unknown or unsupported schema {schema!r}; one of {', '.join(SCHEMA_TYPES)}")
    properties = example.get("properties")
    if not isinstance(properties, dict) or not all(isinstance(v, list) for v in properties.values()):
        raise BadInput(f"{where}.properties", "properties must map each property to a list of values")
    names = [str(value) for prop in ("name", "alias", "previousName", "weakAlias")
             for value in properties.get(prop, []) if str(value).strip()]
    if not names and (properties.get("firstName") or properties.get("lastName")):
        names = [" ".join(str(v) for v in [*properties.get("firstName", []), *properties.get("lastName", [])])]
    if not names:
        raise BadInput(f"{where}.properties.name", "a query needs at least one name")
    birth = next((str(v)[:10] for v in properties.get("birthDate", []) if v), None)
    country = next((str(v) for prop in ("nationality", "country", "jurisdiction")
                    for v in properties.get(prop, []) if v), None)
    identifiers = [str(v) for prop in IDENTIFIER_PROPERTIES for v in properties.get(prop, []) if v]
    try:
        return [ScreenQuery(name=name, type=SCHEMA_TYPES[schema], birth_date=birth,
                            country=country.upper() if country and len(country) == 2 else None,
                            identifiers=identifiers) for name in names]
    except ValidationError as error:
        first = error.errors()[0]
        raise BadInput(f"{where}.properties", first["msg"].removeprefix("Value error, ")) from None


def result(hit: ScreeningHit, threshold: float) -> dict[str, Any]:
    """A hit as yente's ScoredEntity: its explanations are banwatch's, one
    feature per word of the names compared (how it met, with what weight)."""
    explanations = {f"word_{number}": {"score": word.similarity, "weight": word.weight, "detail": word.how,
                                       "query": word.query, "candidate": word.listed}
                    for number, word in enumerate(hit.words, 1)}
    explanations["name"] = {"score": hit.name_score, "detail": "the name score, before the other fields' "
                            "adjustments", "weight": 1.0}
    for number, adjustment in enumerate(hit.adjustments, 1):
        explanations[f"adjustment_{number}"] = {"score": 0.0, "detail": adjustment}
    return {
        "id": hit.entity_id,
        "caption": hit.name,
        "schema": TYPE_SCHEMAS[hit.type],
        "score": hit.score,
        "match": hit.score >= threshold,
        "datasets": [hit.source],
        "properties": {"name": [hit.name], "country": hit.countries, "program": hit.programs},
        "target": True,
        "explanations": explanations,
        "features": {"name_score": hit.name_score},
        "explanation": hit.explanation,
        "measures": hit.measures,
    }
