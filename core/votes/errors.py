"""Why the voting service refuses something: each error carries a message in Chinese, then English.

::

    VoteError
    ├── InvalidRequest        malformed arguments (method, options, rules, window, channel…)
    ├── InvalidElectorate     empty, repeated voter, a weight that is not a positive exact number
    ├── UnknownVote           no such vote in this district
    ├── CrossDistrict         the session is bound to another district
    ├── WrongStatus           e.g. opening a vote twice, closing a draft
    ├── VoteNotOpen           a ballot before the opening time, after the closing time, or after closing
    ├── NotInElectorate       the voter is not in the frozen electorate
    ├── AlreadyVoted          a second ballot where changing is not allowed
    ├── InvalidChoice         the choice does not fit the method and the options
    ├── ElectorateExhausted   ballots and raised hands already account for every elector
    ├── ShowOfHandsRefused    a show of hands on a weighted, anonymous, multiple-choice or score vote
    └── ResultsSealed         per-voter ballots asked for where secrecy forbids it
"""

from __future__ import annotations

from typing import Any

from core.refusal import Refusal

__all__ = (
    "AlreadyVoted",
    "CrossDistrict",
    "ElectorateExhausted",
    "InvalidChoice",
    "InvalidElectorate",
    "InvalidRequest",
    "NotInElectorate",
    "ResultsSealed",
    "ShowOfHandsRefused",
    "UnknownVote",
    "VoteError",
    "VoteNotOpen",
    "WrongStatus",
)


class VoteError(Refusal):
    """A refused voting operation; ``message`` is ``"<中文> / <English>"``. Nothing was written."""

    def __init__(self, zh: str, en: str, **details: Any) -> None:
        super().__init__(zh, en, **details)
        self.message = f"{zh} / {en}"


class InvalidRequest(VoteError):
    """Malformed arguments: unknown method or secrecy, bad options, rules or window, unknown channel."""


class InvalidElectorate(VoteError):
    """The electorate is empty, names a voter twice, or has a weight that is not a positive exact number."""


class UnknownVote(VoteError):
    """No such vote in this district."""

    status_code = 404


class CrossDistrict(VoteError):
    """The session is bound to another district than the one named."""


class WrongStatus(VoteError):
    """The vote is not in the status the operation needs (draft to open, open to close)."""


class VoteNotOpen(VoteError):
    """The vote does not take ballots now (not opened, before its opening time, after its closing time, closed)."""


class NotInElectorate(VoteError):
    """The voter is not in the electorate frozen when the vote opened."""


class AlreadyVoted(VoteError):
    """The voter has voted and this vote does not allow changing a ballot."""


class InvalidChoice(VoteError):
    """The choice does not fit the vote's method and options."""


class ElectorateExhausted(VoteError):
    """Ballots and raised hands already account for every member of the electorate."""


class ShowOfHandsRefused(VoteError):
    """A show of hands can't be counted in this vote (weighted rules, anonymous, multiple choice or score)."""


class ResultsSealed(VoteError):
    """Per-voter ballots are not shown: the vote is anonymous, or hidden until it closes."""
