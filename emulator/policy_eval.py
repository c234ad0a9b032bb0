"""IAM policy evaluation, as much of it as rolecall's policies use.

AWS's rules (IAM User Guide, "Policy evaluation logic" and "IAM JSON policy
elements"): a request is allowed only if some statement allows it and none denies
it; an explicit Deny wins; otherwise the answer is the implicit deny. A statement
applies when its Action (or NotAction) matches the action, case-insensitively with
``*`` and ``?`` wildcards, its Resource (or NotResource) matches the resource ARN,
case-sensitively, and every condition holds (all operators, and every key within
one, must hold; a key lists alternatives).

Conditions: the string operators (``StringEquals``, ``StringNotEquals``,
``StringEqualsIgnoreCase``, ``StringLike``, ``StringNotLike``), the ARN operators
(``ArnEquals``, ``ArnLike``, ``ArnNotEquals``, ``ArnNotLike``: "Each of the six
colon-delimited components of the ARN is checked separately", as for a Resource),
``Null`` and ``Bool``, with the ``ForAllValues:``/``ForAnyValue:`` set prefixes and the
``IfExists`` suffix. An operator this module does not know makes the statement
fail closed: an Allow using one grants nothing, a Deny using one denies, so the
emulator never allows what AWS might refuse. Resource ARNs match segment by segment
(a wildcard does not span the colons between partition, service, region and account).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Mapping

ALLOW, DENY, IMPLICIT = "allow", "deny", "implicit"
COMPARED = (
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "ArnEquals",
    "ArnLike",
    "ArnNotEquals",
    "ArnNotLike",
    "Bool",
)
NEGATED = ("StringNotEquals", "StringNotLike", "ArnNotEquals", "ArnNotLike")


def as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _pattern(pattern: str, *, ignore_case: bool) -> re.Pattern:
    # fnmatch's [] classes are not IAM syntax: escape them before translating.
    escaped = pattern.replace("[", "[[]")
    return re.compile(fnmatch.translate(escaped), re.IGNORECASE if ignore_case else 0)


def wildcard(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    return bool(_pattern(str(pattern), ignore_case=ignore_case).match(str(value)))


def _matches_any(patterns, value: str, *, ignore_case: bool) -> bool:
    return any(wildcard(p, value, ignore_case=ignore_case) for p in as_list(patterns))


def action_matches(statement: Mapping, action: str) -> bool:
    if "NotAction" in statement:
        return not _matches_any(statement["NotAction"], action, ignore_case=True)
    return _matches_any(statement.get("Action"), action, ignore_case=True)


class Unmodelled(Exception):
    """A condition operator this module does not evaluate."""


def arn_matches(pattern: str, arn: str) -> bool:
    """An ARN pattern against an ARN, each of the first five segments on its own."""
    if pattern == "*" or not pattern.startswith("arn:"):
        return wildcard(pattern, arn)
    wanted, given = pattern.split(":", 5), arn.split(":", 5)
    if len(wanted) != len(given):
        return False
    return all(wildcard(w, g) for w, g in zip(wanted, given, strict=True))


def resource_matches(statement: Mapping, resource: str) -> bool:
    if "NotResource" in statement:
        return not any(arn_matches(p, resource) for p in as_list(statement["NotResource"]))
    return any(arn_matches(p, resource) for p in as_list(statement.get("Resource")))


def _compare(base: str, expected: str, actual: str) -> bool:
    if base in ("StringEquals", "StringNotEquals"):
        return expected == actual
    if base == "StringEqualsIgnoreCase":
        return expected.lower() == actual.lower()
    if base in ("StringLike", "StringNotLike"):
        return wildcard(expected, actual)
    if base.startswith("Arn"):  # ArnEquals and ArnLike "behave identically"
        return arn_matches(expected, actual)
    if base == "Bool":
        return expected.lower() == actual.lower()
    raise KeyError(base)


def _test(operator: str, expected: list[str], actual) -> bool:
    """One condition operator on one key; ``actual`` is None when the key is absent."""
    prefix, _, base = operator.rpartition(":")
    if_exists = base.endswith("IfExists")
    base = base.removesuffix("IfExists")
    if base == "Null":
        wanted = str(expected[0]).lower() == "true"
        return (actual is None) == wanted
    if base not in COMPARED:
        raise Unmodelled(operator)
    negated = base in NEGATED
    if actual is None:
        if prefix == "ForAllValues":
            return True  # an empty set satisfies "for all"
        return if_exists or (negated and prefix != "ForAnyValue")
    values = [str(v) for v in as_list(actual)]

    def one(value: str) -> bool:
        hit = any(_compare(base, str(e), value) for e in expected)
        return not hit if negated else hit

    if prefix == "ForAllValues":
        return all(one(v) for v in values)
    if prefix == "ForAnyValue":
        return any(one(v) for v in values)
    return one(values[0]) if len(values) == 1 else any(one(v) for v in values)


def conditions_hold(condition: Mapping | None, context: Mapping[str, object]) -> bool:
    """Every operator and key of a Condition block against the request context
    (keys compared case-insensitively, as AWS does). Raises Unmodelled for an
    operator it does not evaluate."""
    lowered = {key.lower(): value for key, value in context.items()}
    for operator, tests in (condition or {}).items():
        for key, expected in tests.items():
            if not _test(operator, [str(e) for e in as_list(expected)], lowered.get(key.lower())):
                return False
    return True


def applies(statement: Mapping, context: Mapping[str, object]) -> bool:
    """Whether the statement's conditions hold, failing closed where one is not
    modelled: a Deny then applies, an Allow does not."""
    try:
        return conditions_hold(statement.get("Condition"), context)
    except Unmodelled:
        return statement.get("Effect") == "Deny"


def decide(
    documents: Iterable[Mapping], action: str, resource: str, context: Mapping[str, object]
) -> str:
    """ALLOW, DENY (an explicit Deny) or IMPLICIT (nothing allows it)."""
    allowed = False
    for document in documents:
        for statement in as_list(document.get("Statement")):
            if not (action_matches(statement, action) and resource_matches(statement, resource)):
                continue
            if not applies(statement, context):
                continue
            if statement.get("Effect") == "Deny":
                return DENY
            if statement.get("Effect") == "Allow":
                allowed = True
    return ALLOW if allowed else IMPLICIT
