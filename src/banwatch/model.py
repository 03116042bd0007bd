"""The types every layer shares: measures of the catalog, transactions, decisions.

Data from the outside world (YAML catalog files, order CSVs, command-line flags)
is turned into these types at the edge; everything after works on them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, field_validator, model_validator


class Strict(BaseModel):
    """Unknown fields are errors: a typo in a catalog file must not vanish silently."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# --------------------------------------------------------------------------- transactions


class TransactionType(StrEnum):
    sale = "sale"
    new_agreement = "new_agreement"
    resale = "resale"
    license = "license"
    integration = "integration"
    update = "update"
    cloud_service = "cloud_service"
    support = "support"
    use = "use"
    federal_procurement = "federal_procurement"
    purchase = "purchase"  # the buyer's view of a sale: decided as a sale
    import_ = "import"  # bringing goods into the measure's country (the connected-vehicles rule bans imports)


class Answer(StrEnum):
    """A fact about a transaction the caller may not know: whether its items are
    subject to the EAR, whether their maker has a foreign adversary's nexus."""

    yes = "yes"
    no = "no"
    unknown = "unknown"


#: the model year of goods not associated with one (`Transaction.model_year`)
NO_MODEL_YEAR = "none"


class Transaction(Strict):
    """One transaction to decide: what is done, when, with what, between whom."""

    type: TransactionType
    date: dt.date
    product: str | None = None
    vendor: str | None = None
    seller: str | None = Field(None, max_length=500)  # screened as names are: at most as long as one
    buyer: str | None = Field(None, max_length=500)
    seller_country: str | None = Field(None, description="ISO 3166-1 alpha-2 code")
    buyer_country: str | None = Field(None, description="ISO 3166-1 alpha-2 code")
    buyer_is_federal: bool = False
    buyer_is_federal_contractor: bool = False
    buyer_us_person: bool | None = Field(None, description="a U.S. person wherever it is (a U.S. company's "
                                         "branch abroad, a U.S. citizen abroad); None: not known, the "
                                         "country decides")
    seller_us_person: bool | None = Field(None, description="as buyer_us_person, for the seller")
    subject_to_ear: Answer = Field(Answer.unknown, description="whether the items are subject to the "
                                   "Export Administration Regulations (US-origin software is)")
    model_year: int | Literal["none"] | None = Field(
        None, description="the model year of the vehicle, or of the vehicle a part is associated with or is for; "
        "'none': a part associated with no model year; None: not known")
    origin_nexus: Answer = Field(Answer.unknown, description="whether the items (or the software and hardware a "
                                 "vehicle incorporates) are designed, developed, manufactured or supplied by a "
                                 "person owned by, controlled by, or subject to the jurisdiction or direction of "
                                 "a country a measure names (Measure.nexus_countries)")
    seller_nexus: Answer = Field(Answer.unknown, description="whether the seller itself is owned by, controlled "
                                 "by, or subject to the jurisdiction or direction of such a country")
    buyer_government: str | None = Field(None, description="the buyer is a state or local government body of "
                                         "this US state, as ISO 3166-2 (US-ME)")
    reference: str | None = Field(None, description="caller's own id, carried into reports")

    @field_validator("seller", "buyer")
    @classmethod
    def _a_name(cls, value: str | None) -> str | None:
        """A party is screened by its name: one with no letter or digit cannot be."""
        if value is not None and value.strip() and not any(char.isalnum() for char in value):
            raise ValueError("a name needs at least one letter or digit")
        return value

    @field_validator("seller_country", "buyer_country")
    @classmethod
    def _country_code(cls, value: str | None) -> str | None:
        if value is None or value.strip() == "":
            return None
        code = value.strip().upper()
        if len(code) != 2 or not code.isalpha():
            raise ValueError(f"country must be a two-letter ISO code such as US, got {value!r}")
        return code

    @field_validator("buyer_government")
    @classmethod
    def _subdivision(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        code = value.strip().upper()
        if not (len(code) == 5 and code.startswith("US-") and code[3:].isalpha()):
            raise ValueError(f"a US state as ISO 3166-2, such as US-ME, got {value!r}")
        return code

    @field_validator("model_year")
    @classmethod
    def _model_year(cls, value: int | str | None) -> int | str | None:
        if isinstance(value, int) and not 1900 <= value <= 2100:
            raise ValueError(f"a model year such as 2027, or 'none', got {value!r}")
        return value

    @model_validator(mode="after")
    def _something_to_decide(self) -> Transaction:
        if not any((self.product, self.vendor, self.seller, self.buyer)):
            raise ValueError("give at least one of product, vendor, seller or buyer")
        return self


# --------------------------------------------------------------------------- the catalog


class Bound(StrEnum):
    """Who a measure binds; decide/ turns each into a test on the transaction."""

    us_persons = "us_persons"  # any person subject to US jurisdiction
    federal_agencies = "federal_agencies"  # executive agencies buying or using
    federal_contractors = "federal_contractors"  # contractors supplying agencies
    ear_exporters = "ear_exporters"  # any person, anywhere, exporting, reexporting or transferring EAR items
    state_and_local_government = "state_and_local_government"  # the public bodies of the measure's jurisdiction (US-ME)


class Role(StrEnum):
    """Which side of a transaction a covered party is screened against."""

    vendor = "vendor"  # maker of the product or service
    seller = "seller"
    buyer = "buyer"


class Alias(Strict):
    name: str
    script: str = Field("Latn", description="ISO 15924 code: Latn, Cyrl, Hans, ...")
    note: str | None = None


class Identifier(Strict):
    type: str  # e.g. "website", "package", "bundle_id", "purl", "oui_vendor", "ofac_uid"
    value: str
    note: str | None = None


class Party(Strict):
    name: str
    kind: str = Field(pattern="^(organization|person)$")
    aliases: list[Alias] = []
    countries: list[str] = []
    addresses: list[str] = []
    identifiers: list[Identifier] = []
    roles: list[Role] = Field(min_length=1)
    covers_affiliates: bool = Field(
        False, description="affiliates, subsidiaries and parents are covered too"
    )
    brands: list[str] = Field(
        [],
        description="short names the party trades under (Kaspersky, Касперский); a "
        "product or company name containing one is taken for the party's own",
    )
    listed: dt.date | None = None  # when this party was added, where it differs per party
    phases: list[str] = Field(
        [], description="ids of the measure's phases that concern this party; empty: all. "
        "E.g. the FCC's equipment-authorization ban concerns equipment makers, not service providers",
    )
    uncertain: str | None = Field(
        None, description="why the party's coverage cannot be confirmed (a designation later apparently "
        "removed, a source read only second-hand): a match is a review saying so, never a prohibition")
    note: str | None = None

    def all_names(self) -> list[str]:
        return [self.name, *(alias.name for alias in self.aliases)]


class Product(Strict):
    vendor: str
    name: str
    aliases: list[str] = []
    family: str | None = None
    identifiers: list[Identifier] = []
    note: str | None = None

    def all_names(self) -> list[str]:
        return [self.name, *self.aliases]


class Exclusion(Strict):
    name: str
    aliases: list[str] = []
    reason: str

    def all_names(self) -> list[str]:
        return [self.name, *self.aliases]


class NexusOf(StrEnum):
    """Whose tie to a foreign adversary a phase turns on (`Phase.nexus`)."""

    origin = "origin"  # who designed, developed, manufactured or supplied the items
    seller = "seller"


class PhaseWarning(Strict):
    """A finding that is not a prohibition, e.g. 'no more updates: replace it'."""

    types: list[TransactionType] = Field(min_length=1)
    text: str
    days_after_listing: int | None = Field(None, description="the rule warned of applies only this many days "
                                           "after a party's listing (47 CFR 54.10(c): 60): the warning says when")


class Phase(Strict):
    id: str
    name: str
    effective: dt.date = Field(description="first day the phase applies (inclusive)")
    prohibits: list[TransactionType] = []
    review: list[TransactionType] = Field(
        [], description="transaction types that need a compliance review, not a ban"
    )
    warnings: list[PhaseWarning] = []
    binds: list[Bound] = Field([], description="which of the measure's bound persons the phase's rules apply "
                               "to; empty: all. E.g. sec. 889(a)(1)(A) binds agencies' procurement, "
                               "(a)(1)(B) also reaches contractors who use covered equipment")
    families: list[str] = Field([], description="the product families (Product.family) the phase concerns; "
                                "empty: all. E.g. the connected-vehicles rule's hardware ban concerns VCS hardware")
    model_years_from: int | None = Field(None, description="the phase concerns goods of this model year or later "
                                         "only (a vehicle's, or the vehicle's a part is for)")
    without_model_year: bool = Field(False, description="the phase concerns only goods associated with no model "
                                     "year")
    nexus: list[NexusOf] = Field([], description="the phase concerns the transaction only where these are owned "
                                 "by, controlled by, or subject to the jurisdiction or direction of a country of "
                                 "Measure.nexus_countries")
    description: str
    citation: str | None = None  # where the phase's text is, if more precise than the measure's


class ExceptionToCheck(Strict):
    """An exception or limit of a measure that may take a covered item out of
    it and that the transaction cannot show: a match it may apply to is a
    review naming it, never a flat prohibition."""

    check: str = Field(description="what a person must check, as a reason says it: 'unless the equipment ...'")
    citation: str
    products: list[str] = Field([], description="words of a product's description that make it possible "
                                "('power supply', 'backhaul'); empty: any product of `parties`")
    parties: list[str] = Field([], description="the covered parties (primary names) it concerns; empty: all")


class Penalty(Strict):
    text: str
    citation: str


class Source(Strict):
    url: HttpUrl
    title: str


class SignatureField(StrEnum):
    """Which field of an inventory item a signature reads."""

    publisher = "publisher"  # vendor, publisher, supplier, author, copyright line
    name = "name"  # the program's, package's or component's own name
    package = "package"  # a package manager's name (deb, rpm, npm, PyPI, Homebrew ...)
    bundle_id = "bundle_id"  # macOS/iOS bundle id, Android application id, browser extension id
    purl = "purl"  # package URL, as SBOMs carry it
    oui_vendor = "oui_vendor"  # a device's maker: its MAC prefix's IEEE owner, or nmap's fingerprint of it
    path = "path"  # where an item is installed or runs from
    service = "service"  # a Windows service or driver's name, a systemd unit, a launchd label
    team_id = "team_id"  # the Apple developer team that signed a macOS system extension


class SignatureTreatment(StrEnum):
    """What a match of this signature makes of the finding, whatever the
    measure's phases say (every other signature of the measure matching the
    same item included)."""

    removal_tool = "removal_tool"  # the vendor's own uninstaller: removal under way, info
    developer_library = "developer_library"  # a vendor's open-source library: review, never high


class SignatureMatch(StrEnum):
    word = "word"  # the pattern as whole words anywhere in the field, case-insensitive
    exact = "exact"  # the whole field, case-insensitive
    prefix = "prefix"  # the field starts with the pattern, case-insensitive


class Signature(Strict):
    field: SignatureField
    match: SignatureMatch
    patterns: list[str] = Field(min_length=1)
    label: str = Field(description="what a match means, for the finding: 'Kaspersky as publisher'")
    source: str = Field(description="where the identifiers come from: a URL or a document")
    party: str | None = Field(None, description="the measure's party whose products this finds (its name): "
                              "a finding then has that party's own listing date and phases")
    treatment: SignatureTreatment | None = Field(None, description="removal_tool or developer_library: the "
                                                 "finding is informational or to review, not a product in use")


class Detection(Strict):
    """How to find a measure's products in an inventory (`banwatch estate scan`)."""

    what: str = Field(description="what is looked for, in a phrase: 'Kaspersky software and SDKs'")
    remediation: str = Field(description="what to do with a finding")
    signatures: list[Signature] = Field(min_length=1)
    notes: list[str] = Field([], description="identifiers that could not be sourced, and other caveats")


class Measure(Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]+$")
    title: str
    authority: str
    jurisdiction: str = "US"
    kind: str = Field(
        pattern="^(ict_transaction_ban|export_control_listing|sanctions_designation"
        "|equipment_ban|federal_procurement_ban|federal_use_ban|services_export_ban|state_procurement_and_use_ban)$"
    )
    legal_basis: list[str] = Field(min_length=1)
    citation: str = Field(min_length=3)
    signed: dt.date | None = None
    published: dt.date | None = Field(description="none only for a measure that covers official lists")
    bound: list[Bound] = Field(min_length=1)
    summary: str
    phases: list[Phase] = Field(min_length=1)
    parties: list[Party] = []
    vendor_products_covered: bool = Field(
        False,
        description="every product of a party with the vendor role is covered, "
        "not only those listed under products",
    )
    products: list[Product] = []
    lists: list[str] = Field([], description="official list sources (ofac-sdn, ...) whose every entry the "
                             "measure covers; a legal effect naming the measure (LegalEffect.measure) has a "
                             "certain hit on such an entry decided by its phases")
    buyer_countries: list[str] = Field([], description="ISO codes: the measure covers transactions whose buyer "
                                       "is located in one of these countries (services to persons located there)")
    nexus_countries: list[str] = Field([], description="ISO codes of the foreign adversaries whose persons' "
                                       "items the measure covers (Phase.nexus): CN, HK, MO, RU")
    exclusions: list[Exclusion] = []
    exceptions_to_check: list[ExceptionToCheck] = []
    penalties: list[Penalty] = []
    sources: list[Source] = Field(min_length=1)
    notes: list[str] = Field([], description="what could not be verified, and other caveats")
    detection: Detection | None = None

    @model_validator(mode="after")
    def _phases_in_order(self) -> Measure:
        if len({phase.id for phase in self.phases}) != len(self.phases):
            raise ValueError("phase ids must be unique within a measure")
        if not self.parties and not self.products and not self.lists and not self.buyer_countries:
            raise ValueError("a measure must cover at least one party, product, list or buyer country")
        if self.published is None and not self.lists:
            raise ValueError("only a measure that covers official lists may have no publication date")
        dates = [phase.effective for phase in self.phases]
        if dates != sorted(dates):
            raise ValueError("phases must be listed in order of their effective dates")
        families = {product.family for product in self.products}
        for phase in self.phases:
            if unbound := set(phase.binds) - set(self.bound):
                raise ValueError(f"phase {phase.id!r} binds {sorted(unbound)}, which the measure does not bind")
            if unknown_families := set(phase.families) - families:
                raise ValueError(f"phase {phase.id!r} names product families {sorted(unknown_families)} that no "
                                 "product of the measure has")
            if phase.nexus and not self.nexus_countries:
                raise ValueError(f"phase {phase.id!r} turns on a nexus but the measure names no nexus_countries")
            if phase.without_model_year and phase.model_years_from is not None:
                raise ValueError(f"phase {phase.id!r} cannot concern goods without a model year and from one")
        phase_ids = {phase.id for phase in self.phases}
        for party in self.parties:
            if unknown := set(party.phases) - phase_ids:
                raise ValueError(f"party {party.name!r} names unknown phases {sorted(unknown)}")
        names = {party.name for party in self.parties}
        for signature in self.detection.signatures if self.detection else ():
            if signature.party is not None and signature.party not in names:
                raise ValueError(f"a detection signature names {signature.party!r}, not a party of the measure")
        return self

    def party(self, name: str) -> Party:
        return next(party for party in self.parties if party.name == name)

    @property
    def effective(self) -> dt.date:
        return self.phases[0].effective


# --------------------------------------------------------------------------- listed entities


class EntityType(StrEnum):
    person = "person"
    organization = "organization"
    vessel = "vessel"
    aircraft = "aircraft"
    entity = "entity"  # the list does not say whether a person or an organisation


class NameKind(StrEnum):
    primary = "primary"
    aka = "aka"  # also known as
    fka = "fka"  # formerly known as
    nka = "nka"  # now known as
    weak = "weak"  # OFAC "weak a.k.a." / UN quality "Low": too vague to screen on alone
    original_script = "original_script"  # the name as written in its own script


class ListedName(Strict):
    name: str
    kind: NameKind = NameKind.aka
    script: str | None = None  # ISO 15924, e.g. Cyrl, Arab, Hans; None when Latin or unknown
    quality: str | None = None  # the list's own grading, e.g. UN "Good" / "Low"


class Address(Strict):
    street: str | None = None
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-2 when it could be resolved
    country_name: str | None = None  # as the list wrote it
    note: str | None = None


class ListedIdentifier(Strict):
    type: str  # passport, national_id, tax_id, imo, swift_bic, registration, email, website, ...
    value: str
    country: str | None = None
    note: str | None = None


class ListedEntity(Strict):
    """One entry of an official list, in the same shape whatever list it came from."""

    id: str  # "<source>:<the source's own id>", e.g. "ofac-sdn:36"
    source: str
    source_id: str
    type: EntityType
    name: str
    aliases: list[ListedName] = []
    addresses: list[Address] = []
    countries: list[str] = []  # ISO alpha-2: every country the list ties the entry to
    nationalities: list[str] = []
    birth_dates: list[str] = []  # ISO, as precise as the list: "1966", "1966-11", "1966-11-09"
    birth_places: list[str] = []
    identifiers: list[ListedIdentifier] = []
    programs: list[str] = []
    title: str | None = None
    gender: str | None = None
    remarks: str | None = None
    listed_on: dt.date | None = None
    source_url: str | None = None
    properties: dict[str, str] = {}  # list-specific extras: call sign, vessel flag, licence policy, ...

    @model_validator(mode="after")
    def _id_is_source_and_source_id(self) -> ListedEntity:
        if self.id != f"{self.source}:{self.source_id}":
            raise ValueError(f"id must be '<source>:<source id>', got {self.id!r}")
        if not self.name.strip():
            raise ValueError("an entity needs a name")
        return self

    def all_names(self) -> list[str]:
        return [self.name, *(alias.name for alias in self.aliases)]


#: url -> (etag, last_modified) of a downloaded file, for the next conditional request
Validators = dict[str, tuple[str | None, str | None]]


@dataclass
class ParsedList:
    """A list read completely by its reader (`banwatch.lists`): what a snapshot is made of."""

    source: str  # the list source's id: ofac-sdn, ofac-cons, un, bis-dpl, csl, ftm, catalog
    format: str  # the format's name (banwatch.lists.sources.FORMATS)
    files: list[Path]  # every file the list was read from
    entities: list[ListedEntity] = field(default_factory=list)
    published: dt.date | None = None  # when the publisher generated the list, where the files say

    def name_count(self) -> int:
        return sum(len(entity.aliases) + 1 for entity in self.entities)


# --------------------------------------------------------------------------- screening


class ScreenQuery(Strict):
    """Who to look for: a name, and what else is known about them."""

    name: str = Field(min_length=1, max_length=500)
    type: EntityType | None = None
    country: str | None = None  # ISO alpha-2
    birth_date: str | None = None  # "1966" or "1966-11-09"
    identifiers: list[str] = []  # passport, IMO, registration numbers ... as written

    @field_validator("name")
    @classmethod
    def _has_letters(cls, value: str) -> str:
        if not any(char.isalnum() for char in value):
            raise ValueError("a name needs at least one letter or digit")
        return value.strip()

    @field_validator("country")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        code = value.strip().upper()
        if len(code) != 2 or not code.isalpha():
            raise ValueError(f"country must be a two-letter ISO code such as RU, got {value!r}")
        return code

    @field_validator("birth_date")
    @classmethod
    def _birth_date(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        try:
            if len(value) == 4 and value.isdigit():
                return value
            dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"birth date must be YYYY or YYYY-MM-DD, got {value!r}") from None
        return value


class WordMatch(Strict):
    """How one word of the query met one word of the listed name."""

    query: str | None  # None: a listed word the query does not have
    listed: str | None  # None: a query word the listed name does not have
    how: str  # same, sounds alike, typo, initial, missing
    similarity: float
    weight: float  # how much the word counts: rare words more, legal forms little


class ScreeningHit(Strict):
    """One listed entity a screened name may be, with the evidence."""

    entity_id: str
    name: str  # the listed name that matched best
    name_kind: NameKind
    source: str
    type: EntityType
    score: float
    name_score: float
    words: list[WordMatch]
    adjustments: list[str]  # secondary fields: "birth year 1966 matches (+0.05)", ...
    explanation: str
    programs: list[str] = []
    countries: list[str] = []
    measures: list[str] = []  # catalog measures that attach to the entity
    effects: list[ListingEffect] = []  # what the law makes of the entry (banwatch.lists.legal_effects)


# --------------------------------------------------------------------------- decisions


class Outcome(StrEnum):
    allowed = "allowed"
    review = "review"
    prohibited = "prohibited"

    @property
    def severity(self) -> int:
        return ["allowed", "review", "prohibited"].index(self.value)


class LegalEffect(Strict):
    """What being on a list, or under one of its programs or directives, means
    in law: one entry of src/banwatch/lists/legal_effects.yaml."""

    id: str
    list: str  # as a reason names it: "SSI under Directive 2 (E.O. 13662)"
    #: the listing keys it applies to (`legal_effects.listing_keys`): "list:SDN", "directive:EO14024-4", ...
    applies_to: list[str]
    #: listing keys (or key prefixes ending in '-' or ':') of a more precise effect that replaces this one
    unless: list[str] = []
    bound: list[Bound]  # who must comply
    #: what is prohibited and, where it matters, what is not; {placeholders} are the entry's properties
    prohibits: str
    certain_hit: Outcome  # the outcome for a certain match of a bound party; a possible match is a review
    blocking: bool = False  # the entry's property is blocked: OFAC's 50 Percent Rule applies to what it owns
    effective: dt.date | None = None  # the effect applies to transactions from this date
    measure: str | None = None  # the catalog measure that decides it (its phases and dates)
    citation: str
    sources: list[Source]
    verified: str  # which primary text says so, or that only a secondary copy does


class ListingEffect(Strict):
    """A legal effect as it applies to one listed entry: its sentence with the
    entry's own licence requirement, expiry or ownership path filled in."""

    id: str
    list: str
    prohibits: str
    bound: list[Bound]
    certain_hit: Outcome
    citation: str
    blocking: bool = False
    effective: dt.date | None = None
    expired: dt.date | None = None  # the order or listing ended on this date (a denial order's expiry)
    measure: str | None = None


class Evidence(Strict):
    """Why a transaction field was taken for a covered party, product or exclusion."""

    field: str  # the transaction field: product, vendor, seller, buyer
    value: str  # what the caller wrote
    matched: str  # the catalog name it met
    target: str  # "party", "product", "exclusion"
    strength: str = Field(pattern="^(clear|resembles)$")
    how: str  # one phrase: "same name", "a Kaspersky product", "'kasperski' is 1 edit from ..."
    party: str | None = None  # the covered party this points at (its primary name), if any


class MeasureFinding(Strict):
    id: str
    title: str
    citation: str
    outcome: Outcome
    phase: str | None  # the phase that decides the outcome, if one is in force
    effective: dt.date | None
    evidence: list[Evidence] = []


class ListVersion(Strict):
    """One list as an answer used it: enough to find it again, and to show it is the same."""

    source: str
    snapshot_id: int
    loaded_at: str
    published: str | None = None  # the publisher's date, where known
    origin: str
    files: list[dict[str, object]]  # name, sha256, bytes


class Provenance(Strict):
    """What an answer was given against, to reproduce it later (the snapshots can be chosen again)."""

    banwatch: str  # the version
    answered_at: str  # UTC, seconds
    catalog_origin: str  # "bundled catalog" or the folder
    catalog_digest: str  # sha256 over the measure files
    lists: list[ListVersion] = []


class Decision(Strict):
    outcome: Outcome
    transaction: Transaction
    measures: list[MeasureFinding] = []
    reasons: list[str] = []
    warnings: list[str] = []
    provenance: Provenance | None = None
