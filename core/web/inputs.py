"""One gate for what a request brings, before any handler reads it: bad input is a 4xx, never a 500.

:func:`guard_input` runs as the app's ``before_request`` hook for every route, page and API
alike, and refuses, with a message in the user's language and nothing written:

* a path parameter that is a number beyond 64 bits (``/notices/9223372036854775808``): 404,
  as no row can have that id;
* a query parameter declared as a number whose value is beyond 64 bits: 400;
* a NUL character anywhere in the query, a form value or a JSON string: 400;
* a JSON body that is not UTF-8, not JSON, or nested deeper than :data:`MAX_DEPTH`: 400;
* a number beyond 64 bits anywhere in a JSON body: 400 naming the field;
* a field a JSON body's declared type does not have (msgspec Struct, TypedDict or
  dataclass): 400 naming the field, on every write, the core's and every plugin's;
* a text field longer than the ``max_length`` its body type declares (``core.api.text``),
  and any text value longer than :data:`MAX_TEXT` characters (a backstop);
* a form field named ``…_id`` whose value is not a whole number within 64 bits;
* a multipart upload to a file endpoint without a file part, or with CR, LF or NUL in
  the file name.

:func:`core.web.errors.data_error` is the safety net behind it: a database error caused by a value
(SQLite's ``OverflowError``, PostgreSQL's data errors: out of range, NUL byte, too long)
answers 400 instead of 500.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import typing
from typing import Any

import msgspec
from litestar import Request
from litestar.datastructures import UploadFile
from litestar.exceptions import NotFoundException, ValidationException

from core.i18n import gettext

__all__ = (
    "INT64_MAX",
    "INT64_MIN",
    "MAX_DEPTH",
    "MAX_TEXT",
    "guard_input",
    "invalid",
    "json_fields",
    "text_limits",
)

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
# Longest text value any request may carry (a YAML case-type definition is the longest real one).
MAX_TEXT = 200_000
# Deepest JSON nesting accepted (case data nests a list of records in a record: 4 levels).
MAX_DEPTH = 32
_INTEGER = re.compile(r"^\s*[+-]?\d+\s*$")
_JSON_TYPES = ("application/json",)
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_UNSAFE_NAME = re.compile(r"[\r\n\x00]")


def invalid(field: str, message: str) -> ValidationException:
    """A 400 naming ``field`` with ``message`` (the shape every refused input takes)."""
    return ValidationException(detail=message, extra={"errors": {field: message}})


def _in_range(value: int) -> bool:
    return INT64_MIN <= value <= INT64_MAX


def _annotation(request: Request[Any, Any, Any], name: str) -> Any:
    try:
        parameter = request.route_handler.parsed_fn_signature.parameters.get(name)
    except AttributeError:  # a route without a handler signature (static files, ASGI mounts)
        return None
    return parameter.annotation if parameter is not None else None


def _declares_int(annotation: Any) -> bool:
    if annotation is int:
        return True
    return any(_declares_int(arg) for arg in typing.get_args(annotation))


def json_fields(annotation: Any) -> frozenset[str] | None:
    """The field names a JSON body of this type may have, or ``None`` when any are accepted."""
    annotation = _unwrap(annotation)
    if isinstance(annotation, type):
        if issubclass(annotation, msgspec.Struct):
            return frozenset(annotation.__struct_encode_fields__)
        if typing.is_typeddict(annotation):
            keys: Any = annotation
            return frozenset(keys.__required_keys__ | keys.__optional_keys__)
        if dataclasses.is_dataclass(annotation):
            return frozenset(f.name for f in dataclasses.fields(annotation))
    return None


@functools.cache
def text_limits(annotation: Any) -> dict[str, int]:
    """The ``max_length`` of each text field (or list of text) of a body type, by JSON name."""
    annotation = _unwrap(annotation)
    try:
        info = msgspec.inspect.type_info(annotation)
    except (TypeError, ValueError):
        return {}
    limits: dict[str, int] = {}
    for field in getattr(info, "fields", ()):
        for kind in _members(field.type):
            if isinstance(kind, msgspec.inspect.StrType) and kind.max_length is not None:
                limits[field.encode_name] = kind.max_length
    return limits


def _members(kind: Any) -> list[Any]:
    if isinstance(kind, msgspec.inspect.UnionType):
        return [m for t in kind.types for m in _members(t)]
    if isinstance(kind, msgspec.inspect.ListType):
        return _members(kind.item_type)
    return [kind]


def _unwrap(annotation: Any) -> Any:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def _check_path(request: Request[Any, Any, Any]) -> None:
    for value in request.path_params.values():
        if isinstance(value, int) and not isinstance(value, bool) and not _in_range(value):
            raise NotFoundException(gettext("Not found."))


def _check_query(request: Request[Any, Any, Any]) -> None:
    for name, value in request.query_params.multi_items():
        if "\x00" in name or "\x00" in value:
            raise invalid(name, gettext("The text contains a NUL character (\\0), which is not allowed."))
        if len(value) > MAX_TEXT:
            raise invalid(name, gettext("%(field)s is too long.", field=name))
        if _INTEGER.match(value) and not _in_range(int(value)) and _declares_int(_annotation(request, name)):
            raise invalid(name, gettext("%(field)s: the number is out of range.", field=name))


def _walk_json(value: Any, path: str, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise invalid(path or "body", gettext("The JSON is nested too deeply."))
    if isinstance(value, str):
        _check_text(path or "body", value)
    elif isinstance(value, bool):
        return
    elif isinstance(value, int):
        if not _in_range(value):
            raise invalid(path or "body", gettext("%(field)s: the number is out of range.", field=path or "body"))
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(f"{path}.{key}" if path else key, key)
            _walk_json(item, f"{path}.{key}" if path else key, depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _walk_json(item, f"{path}.{index}" if path else str(index), depth + 1)


def _check_text(field: str, value: str) -> None:
    if "\x00" in value:
        raise invalid(field, gettext("The text contains a NUL character (\\0), which is not allowed."))
    if len(value) > MAX_TEXT:
        raise invalid(field, gettext("%(field)s is too long.", field=field))


async def _check_json(request: Request[Any, Any, Any]) -> None:
    body = await request.body()
    if not body.strip():
        return
    try:
        value = msgspec.json.decode(body)
    except (UnicodeDecodeError, RecursionError, msgspec.DecodeError) as exc:
        message = gettext("The request body is not valid JSON (UTF-8, nested at most %(depth)s deep).", depth=MAX_DEPTH)
        raise invalid("body", message) from exc
    _walk_json(value, "", 0)
    declared = _annotation(request, "data")
    allowed = json_fields(declared)
    if allowed is None or not isinstance(value, dict):
        return
    limits = text_limits(_unwrap(declared))
    for key, item in value.items():
        if key not in allowed:
            raise invalid(key, gettext("Unknown field: %(field)s.", field=key))
        limit = limits.get(key)
        texts = item if isinstance(item, list) else [item]
        if limit is not None and any(isinstance(t, str) and len(t) > limit for t in texts):
            raise invalid(key, gettext("%(field)s: at most %(max)s characters.", field=key, max=limit))


async def _check_form(request: Request[Any, Any, Any]) -> None:
    form = await request.form()
    has_file = False
    for name, value in form.multi_items():
        _check_text(name, name)
        if isinstance(value, UploadFile):
            has_file = True
            if _UNSAFE_NAME.search(value.filename or ""):
                raise invalid(name, gettext("The file name must not contain line breaks or NUL characters."))
            continue
        if not isinstance(value, str):
            continue
        _check_text(name, value)
        if name.endswith("_id") and value.strip() and not (_INTEGER.match(value) and _in_range(int(value))):
            raise invalid(name, gettext("A choice in the form is not valid; reload the page and try again."))
    if not has_file and _unwrap(_annotation(request, "data")) is UploadFile:
        raise invalid("file", gettext("Choose a file to upload."))


async def guard_input(request: Request[Any, Any, Any]) -> None:
    """Refuse bad input before the handler runs (the app's ``before_request``); see the module docstring."""
    _check_path(request)
    _check_query(request)
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    media_type = request.content_type[0]
    if media_type in _JSON_TYPES or media_type.endswith("+json"):
        await _check_json(request)
    elif media_type in _FORM_TYPES:
        await _check_form(request)
