"""``construct``: ``Model.model_construct(**values)`` without its per-call field walk.

For engine-built data that is valid by construction (text-fact mentions and facts, the
assessment's trace steps, risk, side, safeguard and verdict results): when every
field is given and the model has no aliases, private attributes, post-init hook or extra fields,
the instance is set up exactly as ``model_construct`` sets it up (``__dict__`` in field order,
the fields set, no extra, no private); otherwise ``model_construct`` itself is called.
"""

from __future__ import annotations

from functools import cache
from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)
_setattr = object.__setattr__


@cache
def _plain_fields(cls: type[BaseModel]) -> tuple[str, ...] | None:
    """The field names when the fast path is equivalent, else None."""
    fields = cls.__pydantic_fields__
    if (
        cls.__pydantic_post_init__
        or cls.__private_attributes__
        or cls.__pydantic_root_model__
        or cls.model_config.get("extra") == "allow"
        or any(f.alias is not None or f.validation_alias is not None for f in fields.values())
    ):
        return None
    return tuple(fields)


def construct(cls: type[M], **values: Any) -> M:
    """The same instance as ``cls.model_construct(**values)``."""
    names = _plain_fields(cls)
    if names is None or len(values) != len(names) or not values.keys() <= set(names):
        return cls.model_construct(**values)
    m = cls.__new__(cls)
    _setattr(m, "__dict__", {k: values[k] for k in names})
    _setattr(m, "__pydantic_fields_set__", set(names))
    _setattr(m, "__pydantic_extra__", None)
    _setattr(m, "__pydantic_private__", None)
    return m


def construct_from(cls: type[M], values: dict[str, Any]) -> M:
    """``cls`` from a dict the caller hands over: when its keys are every field in field order,
    the dict itself becomes the instance's ``__dict__`` (no copy, as :func:`construct` sets it
    up); otherwise it is validated (strict), which fills the defaults. Not ``model_construct``:
    it inspects the signature of every default factory on every call."""
    names = _plain_fields(cls)
    if names is None or tuple(values) != names:
        return cls.model_validate(values, strict=True)
    m = cls.__new__(cls)
    _setattr(m, "__dict__", values)
    _setattr(m, "__pydantic_fields_set__", set(names))
    _setattr(m, "__pydantic_extra__", None)
    _setattr(m, "__pydantic_private__", None)
    return m
