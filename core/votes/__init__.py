"""The core's voting service: frozen electorates, four methods, exact thresholds, secrecy, staff-entered ballots.

Used by the consultation council (resolutions), parking (conventions) and grant
selection. See ``docs/votes.md``. Every function works in the caller's transaction and
session; a refusal raises a :class:`VoteError` (message in Chinese, then English) and
writes nothing.

A vote is created as a draft (:func:`create_vote`), opened with its electorate frozen
(:func:`open_vote`), takes ballots (:func:`cast_ballot`) and shows of hands
(:func:`record_show_of_hands`) inside its window, and is closed (:func:`close_vote`);
:func:`results` gives the outcome and the figures behind it.
"""

from __future__ import annotations

from core.models.votes import Vote
from core.votes.ballots import BallotReceipt, cast_ballot, enter_ballots, record_show_of_hands
from core.votes.choices import FOR_AGAINST, MAX_SCORE, Method
from core.votes.decide import Check, Outcome
from core.votes.errors import (
    AlreadyVoted,
    CrossDistrict,
    ElectorateExhausted,
    InvalidChoice,
    InvalidElectorate,
    InvalidRequest,
    NotInElectorate,
    ResultsSealed,
    ShowOfHandsRefused,
    UnknownVote,
    VoteError,
    VoteNotOpen,
    WrongStatus,
)
from core.votes.lifecycle import close_vote, create_vote, get_vote, open_vote, rules_of
from core.votes.queries import NamedBallot, electorate, has_voted, named_ballots
from core.votes.results import VoteResult, results
from core.votes.rules import PRESETS, Rules, Threshold
from core.votes.tally import OptionTally
from core.votes.voters import Voter

__all__ = (
    "FOR_AGAINST",
    "MAX_SCORE",
    "PRESETS",
    "AlreadyVoted",
    "BallotReceipt",
    "Check",
    "CrossDistrict",
    "ElectorateExhausted",
    "InvalidChoice",
    "InvalidElectorate",
    "InvalidRequest",
    "Method",
    "NamedBallot",
    "NotInElectorate",
    "OptionTally",
    "Outcome",
    "ResultsSealed",
    "Rules",
    "ShowOfHandsRefused",
    "Threshold",
    "UnknownVote",
    "Vote",
    "VoteError",
    "VoteNotOpen",
    "VoteResult",
    "Voter",
    "WrongStatus",
    "cast_ballot",
    "close_vote",
    "create_vote",
    "electorate",
    "enter_ballots",
    "get_vote",
    "has_voted",
    "named_ballots",
    "open_vote",
    "record_show_of_hands",
    "results",
    "rules_of",
)
