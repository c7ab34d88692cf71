"""The API's JSON bodies: typed structures, read strictly, refused with every field at fault.

Each API operation that takes a body declares it as a `Body` struct (fields and their types);
the handler takes it as `data`, which is what puts it in the OpenAPI document. Litestar's own
conversion is lenient (`"12"` would pass as 12), so a dependency made by `strict_body` reads
the same body first with JSON's own types: a wrong type, a list for a single value, a key the
struct does not know or a missing field are refused (422) naming every field at fault, in the
caller's language. It runs after the role check that the handler names (`before`), so that a
member learns about their role, not about their JSON. Meanings (dates in an open month, amounts
in range, who may record what) stay the services' to decide.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar, get_args, get_origin

import msgspec
from litestar import Request
from litestar._openapi.schema_generation import SchemaCreator
from litestar._openapi.schema_generation.plugins.struct import StructSchemaPlugin
from litestar.di import NamedDependency, Provide
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Operation, RequestBody, Schema
from litestar.typing import FieldDefinition

from governance.base.errors import Invalid
from governance.base.i18n import N_, _
from governance.input.forms import MAX_ROW_ID

# A row's id: 32-bit on PostgreSQL, so a larger number names no row.
RowId = Annotated[int, msgspec.Meta(ge=1, le=MAX_ROW_ID)]


class Body(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A request body: only the fields it declares."""


class NoBody(Body):
    """An operation that takes no fields: `{}`, `null` or no body at all."""


@dataclass
class OptionalBody(Operation):
    """An operation whose body may be left out (Litestar marks every body required)."""

    def __post_init__(self) -> None:
        if isinstance(self.request_body, RequestBody):
            self.request_body.required = False


class ApiError(msgspec.Struct):
    """Every refusal: `detail` in the caller's language, `errors` by field when fields are at
    fault (422), `extra` for a query parameter Litestar refused (400)."""

    status_code: int
    detail: str
    errors: dict[str, str] | None = None
    extra: list[dict[str, Any]] | None = None


def _error(description: str) -> ResponseSpec:
    return ResponseSpec(data_container=ApiError, description=description, generate_examples=False)


# What an API operation may answer besides its success (every handler declares them).
API_ERRORS: dict[int, ResponseSpec] = {
    400: _error("A query or path parameter is malformed."),
    401: _error("Not logged in."),
    403: _error("The role does not allow this, or the CSRF token is missing."),
    404: _error("Nothing of that id in this cooperative, or no such cooperative for you."),
    409: _error("The state forbids it now (already done, closed month, idempotency key reused)."),
    422: _error("The body is refused; `errors` names each field at fault."),
}

S = TypeVar("S", bound=Body)
WRONG_FIELDS = N_("Some fields of the request are wrong; each is named in errors.")


def _type_message(annotation: Any) -> str:
    """What a field of this type must hold, as a sentence for the person who sent it."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _type_message(get_args(annotation)[0])
    if origin in (types.UnionType, typing.Union):
        kinds = [a for a in get_args(annotation) if a is not type(None)]
        return _type_message(kinds[0]) if len(kinds) == 1 else _("This value has the wrong type.")
    if origin is list:
        (item,) = get_args(annotation) or (Any,)
        item = get_args(item)[0] if get_origin(item) is Annotated else item
        if item is str:
            return _("This field must be a list of texts.")
        if item is int:
            return _("This field must be a list of whole numbers.")
        return _("This value has the wrong type.")
    if annotation is bool:
        return _("This field must be true or false.")
    if annotation is int:
        return _("Enter a whole number.")
    if annotation is str:
        return _("This field must be text.")
    if annotation is dt.date:
        return _("Enter a date like 2026-11-27.")
    return _("This value has the wrong type.")


def field_errors(body: Any, model: type[Body]) -> dict[str, str]:
    """Every field of `body` (decoded JSON) at fault for `model`, with its message. Pure."""
    if not isinstance(body, dict):
        return {}
    fields = msgspec.structs.fields(model)
    known = {f.encode_name for f in fields}
    errors = {str(key): _("This field is not expected here.") for key in body if key not in known}
    for field in fields:
        if field.encode_name not in body:
            if field.required:
                errors[field.encode_name] = _("This field is required.")
            continue
        try:
            msgspec.convert(body[field.encode_name], type=field.type, strict=True)
        except msgspec.ValidationError:
            errors[field.encode_name] = _type_message(field.type)
    return errors


def decode_body(raw: bytes, model: type[S]) -> S:
    """`raw` as a `model`, strictly; Invalid naming every field at fault otherwise."""
    try:
        body = msgspec.json.decode(raw)
    except (msgspec.DecodeError, RecursionError) as error:
        raise Invalid(_("The request body is not valid JSON.")) from error
    if not isinstance(body, dict):
        raise Invalid(_("The request body must be a JSON object."))
    errors = field_errors(body, model)
    if errors:
        raise Invalid(_(WRONG_FIELDS), errors)
    try:
        return msgspec.convert(body, type=model, strict=True)
    except msgspec.ValidationError as error:  # a rule across fields, should a struct have one
        raise Invalid(_(WRONG_FIELDS)) from error


# What a handler declares to have its body checked by `strict_body` (`checked: Checked`).
Checked = NamedDependency[None]


def strict_body(model: type[Body], *, optional: bool = False) -> Provide:
    """A dependency that refuses the request's body unless it is a `model` read strictly.

    `optional`: no body (or `null`) is accepted too, and the operation says so with
    `operation_class=OptionalBody`. The handler declares the dependency (`checked: Checked`)
    and the body as `data: model`. The role is checked before, by the handler's guard
    (members/context.py); `coop` is resolved first, so that a stranger to the cooperative
    learns nothing from its body's errors.
    """

    async def check_body(request: Request[Any, Any, Any], coop: NamedDependency[Any]) -> None:
        raw = await request.body()
        if optional and raw.strip() in (b"", b"null"):
            return
        decode_body(raw, model)

    provider: Callable[..., Awaitable[None]] = check_body
    return Provide(provider)


def rename(error: Invalid, names: Mapping[str, str]) -> Invalid:
    """The same refusal with the form's field names turned into the API's (`rate` ->
    `rate_cents`): the services speak of the form's fields."""
    return Invalid(error.message, {names.get(k, k): v for k, v in error.fields.items()})


def refused_parameters(extra: Any) -> tuple[int, dict[str, str]]:
    """Litestar's list of refused values (`[{"key", "message", "source"}]`) as a status and a
    message per field: 422 when the body is at fault, 400 for a query or path parameter."""
    items = [item for item in extra if isinstance(item, dict)] if isinstance(extra, list) else []
    fields = {
        str(item.get("key") or "body"): _("This value is not accepted here.") for item in items
    }
    in_body = any(item.get("source") == "body" for item in items)
    return (422 if in_body else 400), fields


def too_deep(error: BaseException) -> bool:
    """The recursion error is the JSON decoder's (a body nested too deep), not a bug."""
    traceback = error.__traceback__
    last = None
    while traceback is not None:
        last = traceback
        traceback = traceback.tb_next
    return last is not None and last.tb_frame.f_code.co_filename.endswith("msgspec_hooks.py")


class StrictBodySchema(StructSchemaPlugin):
    """Request bodies in the OpenAPI document say `additionalProperties: false`, as they are
    read (Litestar's own plugin leaves it out for msgspec structs)."""

    def is_plugin_supported_field(self, field_definition: FieldDefinition) -> bool:
        return super().is_plugin_supported_field(field_definition) and (
            field_definition.is_subclass_of(Body)
        )

    def to_openapi_schema(
        self, field_definition: FieldDefinition, schema_creator: SchemaCreator
    ) -> Schema:
        schema = super().to_openapi_schema(field_definition, schema_creator)
        schema.additional_properties = False
        return schema
