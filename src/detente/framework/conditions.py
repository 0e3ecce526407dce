"""A tiny condition language for rules, kept as data.

A condition is one of:

* a flag name, e.g. ``"form.joint_software"`` — true when the flag is set;
* ``{"all": [cond, ...]}`` — every sub-condition holds;
* ``{"any": [cond, ...]}`` — at least one holds;
* ``{"not": cond}`` — the sub-condition does not hold.

Conditions are compiled once, at load time, into closures over a frozenset of
flags, so evaluating a rule costs a few set look-ups.  :func:`flags_used`
lists the flags a condition reads (for validation and for the trace).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

Condition = str | dict[str, Any]
Predicate = Callable[[frozenset[str]], bool]
T = TypeVar("T")


class ConditionSyntaxError(ValueError):
    pass


def _check(cond: Any) -> None:
    if isinstance(cond, str):
        if not cond:
            raise ConditionSyntaxError("empty flag name")
        return
    if not isinstance(cond, dict) or len(cond) != 1:
        raise ConditionSyntaxError(
            f"a condition is a flag name or a mapping with one of all/any/not, got {cond!r}"
        )
    ((op, arg),) = cond.items()
    if op in ("all", "any"):
        if not isinstance(arg, list) or not arg:
            raise ConditionSyntaxError(f"'{op}' takes a non-empty list")
        for c in arg:
            _check(c)
    elif op == "not":
        _check(arg)
    else:
        raise ConditionSyntaxError(f"unknown operator {op!r} (use all, any, not)")


def compile_condition(cond: Condition | None) -> Predicate:
    """Compile a condition; ``None`` means "always"."""
    if cond is None:
        return lambda flags: True
    _check(cond)
    return _compile(cond)


def _compile(cond: Any) -> Predicate:
    if isinstance(cond, str):
        name = cond
        return lambda flags: name in flags
    ((op, arg),) = cond.items()
    if op == "not":
        if isinstance(arg, str):
            return lambda flags: arg not in flags
        if isinstance(arg, dict) and "any" in arg and all(isinstance(c, str) for c in arg["any"]):
            banned = frozenset(arg["any"])
            return lambda flags: banned.isdisjoint(flags)
        inner = _compile(arg)
        return lambda flags: not inner(flags)
    # Plain flag names become one set operation; nested conditions are checked after them.
    names = frozenset(c for c in arg if isinstance(c, str))
    subs = tuple(_compile(c) for c in arg if not isinstance(c, str))
    if op == "all":
        if not subs:
            return lambda flags: names <= flags
        if len(subs) == 1:
            (sub,) = subs
            return lambda flags: names <= flags and sub(flags)
        return lambda flags: names <= flags and all(s(flags) for s in subs)
    if not subs:
        return lambda flags: not names.isdisjoint(flags)
    return lambda flags: (not names.isdisjoint(flags)) or any(s(flags) for s in subs)


def flags_used(cond: Condition | None) -> set[str]:
    if cond is None:
        return set()
    if isinstance(cond, str):
        return {cond}
    ((op, arg),) = cond.items()
    if op == "not":
        return flags_used(arg)
    out: set[str] = set()
    for c in arg:
        out |= flags_used(c)
    return out


def fired_flags(cond: Condition | None, flags: frozenset[str]) -> list[str]:
    """The positive flags of ``cond`` that are set: what made it fire, for the trace."""
    if cond is None:
        return []
    if isinstance(cond, str):
        return [cond] if cond in flags else []
    ((op, arg),) = cond.items()
    if op == "not":
        return []
    out: list[str] = []
    for c in arg:
        for f in fired_flags(c, flags):
            if f not in out:
                out.append(f)
    return out


def positive_flags(cond: Condition | None) -> tuple[str, ...]:
    """The positive flags of ``cond`` (not under ``not``), each once, in the order
    :func:`fired_flags` lists them: ``fired_flags(cond, flags)`` equals
    ``[f for f in positive_flags(cond) if f in flags]`` (computed once per rule, for the engine)."""
    if cond is None or isinstance(cond, str):
        return () if cond is None else (cond,)
    ((op, arg),) = cond.items()
    if op == "not":
        return ()
    return tuple(dict.fromkeys(f for c in arg for f in positive_flags(c)))


def describe(cond: Condition | None) -> str:
    """Human-readable rendering, for generated docs."""
    if cond is None:
        return "always"
    if isinstance(cond, str):
        return f"`{cond}`"
    ((op, arg),) = cond.items()
    if op == "not":
        return f"not ({describe(arg)})"
    joiner = " and " if op == "all" else " or "
    parts = [describe(c) for c in arg]
    return "(" + joiner.join(parts) + ")" if len(parts) > 1 else parts[0]


def _expr(cond: Any, consts: dict[str, Any]) -> str:
    """``cond`` as a Python expression over the flag set ``f``: the same truth as the closure
    :func:`compile_condition` builds (the same set operations, without a call per node).
    Frozensets of flag names are bound in ``consts``."""

    def const(names: frozenset[str]) -> str:
        key = f"_k{len(consts)}"
        consts[key] = names
        return key

    if isinstance(cond, str):
        return f"({cond!r} in f)"
    ((op, arg),) = cond.items()
    if op == "not":
        if isinstance(arg, str):
            return f"({arg!r} not in f)"
        if isinstance(arg, dict) and "any" in arg and all(isinstance(c, str) for c in arg["any"]):
            return f"{const(frozenset(arg['any']))}.isdisjoint(f)"
        return f"(not {_expr(arg, consts)})"
    names = frozenset(c for c in arg if isinstance(c, str))
    subs = [_expr(c, consts) for c in arg if not isinstance(c, str)]
    if op == "all":
        parts = ([f"({const(names)} <= f)"] if names else []) + subs
        return "(" + " and ".join(parts) + ")" if parts else "True"
    parts = ([f"(not {const(names)}.isdisjoint(f))"] if names else []) + subs
    return "(" + " or ".join(parts) + ")" if parts else "False"


def condition_source(cond: Condition | None, consts: dict[str, Any]) -> str:
    """The expression of :func:`_expr` for a checked condition (``None``: ``True``)."""
    if cond is None:
        return "True"
    _check(cond)
    return _expr(cond, consts)


def _generate(
    name: str,
    head: list[str],
    entries: Sequence[tuple[Any, Condition | None]],
    hit: str,
    tail: str,
    ns: dict[str, Any],
) -> Any:
    """Define ``name(f)``: ``head``, then for each entry ``if <its condition>: <hit>`` (``hit``
    names the entry's item ``{x}``), then ``tail``; the source is built from checked conditions."""
    lines = [f"def {name}(f):", *head]
    for i, (item, cond) in enumerate(entries):
        ns[f"_x{i}"] = item
        lines.append(f"    if {condition_source(cond, ns)}:")
        lines.append("        " + hit.format(x=f"_x{i}"))
    lines.append(tail)
    exec("\n".join(lines), ns)
    return ns[name]


def compile_select(
    entries: Sequence[tuple[T, Condition | None]],
) -> Callable[[frozenset[str]], tuple[T, ...]]:
    """One generated function returning, in order, the items whose condition holds on a flag
    set: ``tuple(x for x, c in entries if compile_condition(c)(flags))`` without a closure call
    per condition (built once per framework, e.g. the rules of an area)."""
    select: Callable[[frozenset[str]], tuple[T, ...]] = _generate(
        "select",
        ["    out = []", "    add = out.append"],
        entries,
        "add({x})",
        "    return tuple(out)",
        {},
    )
    return select


def compile_first(
    entries: Sequence[tuple[T, Condition | None]], default: T
) -> Callable[[frozenset[str]], T]:
    """One generated function returning the item of the first entry whose condition holds, else
    ``default``: ``next((x for x, c in entries if compile_condition(c)(flags)), default)``."""
    first: Callable[[frozenset[str]], T] = _generate(
        "first", [], entries, "return {x}", "    return _default", {"_default": default}
    )
    return first
