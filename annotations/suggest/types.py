"""What the engine returns: plain data with code-point offsets, no ORM."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Speaker:
    """One real-world party, with every name it goes by in this text."""

    name: str
    kind: str = "person"  # person, organisation, group, party, other
    description: str = ""
    aliases: tuple[str, ...] = ()
    # A nameless speaker ("a source", "officials"): no Entity is made for it.
    generic: bool = False


@dataclass(frozen=True)
class QuoteSuggestion:
    start: int
    end: int
    text: str
    kind: str  # direct, indirect, mixed
    confidence: float
    speaker: Speaker | None = None
    speaker_start: int | None = None
    speaker_end: int | None = None
    cue: str = ""
    cue_start: int | None = None
    cue_end: int | None = None


@dataclass(frozen=True)
class EndorsementSuggestion:
    endorser: Speaker
    polarity: str  # supports, opposes
    start: int
    end: int
    text: str
    confidence: float
    target: Speaker | None = None
    target_text: str = ""
    responds_to: int | None = None  # index into Suggestions.endorsements


@dataclass
class Suggestions:
    engine_version: str
    quotes: list[QuoteSuggestion] = field(default_factory=list)
    endorsements: list[EndorsementSuggestion] = field(default_factory=list)

    @property
    def speakers(self) -> list[Speaker]:
        seen: dict[str, Speaker] = {}
        for quote in self.quotes:
            if quote.speaker:
                seen.setdefault(quote.speaker.name, quote.speaker)
        for endorsement in self.endorsements:
            for party in (endorsement.endorser, endorsement.target):
                if party:
                    seen.setdefault(party.name, party)
        return list(seen.values())
