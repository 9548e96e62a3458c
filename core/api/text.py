"""Text fields of API request bodies, each with a maximum length that the OpenAPI schema declares.

Every ``str`` of a request body (core and plugins) is one of these, so ``/schema`` states
the limit and :mod:`core.web.inputs` refuses longer text with a 400 naming the field before
the handler runs. The limits match the columns the values are stored in (``String(n)``),
and the form definitions' ``max_length`` (core/forms) for the same fields.
"""

from __future__ import annotations

from typing import Annotated

import msgspec

__all__ = ("Code", "LongText", "Name", "Text", "Title")

# Keys, codes, usernames, choices, phone numbers, dates as text.
Code = Annotated[str, msgspec.Meta(max_length=100)]
# Names and labels of people, places, queues and modules.
Name = Annotated[str, msgspec.Meta(max_length=100)]
# Titles of cases, notices, topics, activities (their columns are String(200)).
Title = Annotated[str, msgspec.Meta(max_length=200)]
# Short free text: a note, a reason, an offer's description (String(500) columns).
Text = Annotated[str, msgspec.Meta(max_length=500)]
# Long free text: a comment, a notice's body, a description (Text columns).
LongText = Annotated[str, msgspec.Meta(max_length=20_000)]
