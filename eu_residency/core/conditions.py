"""Which combinations of a template's conditions can hold together.

Two options of two ``Fn::If`` may assume conditions that can never be true at once: ``IsProd`` and
``IsDev`` when both compare the same parameter with different values, or ``IsProd`` and its ``Fn::Not``.
As cfn-lint does, combinations that cannot happen are pruned: each condition is read as a formula over
the deploy-time inputs it compares (a parameter or pseudo parameter against a literal, each input taking
one of the values it is compared with, its AllowedValues, or another value), and a set of assumptions is
possible when some choice of inputs makes every one of them hold. Anything the template does not let us
read stays a free true/false, so the pruning never removes a combination that could deploy.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from eu_residency.core.resolved import Assumptions, contradicts
from eu_residency.core.vocabulary import MAX_NESTING, PSEUDO_PREFIX

# More input choices than this and the combination is kept unexamined (fails closed: never pruned).
MAX_CHOICES = 4096
_OTHER = object()  # an input's value that none of the conditions compares it with

# Conditions the solver cannot read are atoms named by their text; a longer text is named by its start and digest.
ATOM_KEY_LENGTH = 500


@dataclass(frozen=True)
class _Input:
    """A deploy-time input a condition compares: a parameter or a pseudo parameter."""

    name: str


@dataclass(frozen=True)
class _Atom:
    """A comparison the template does not let us read: free to be true or false."""

    key: str


Formula = Any  # bool, _Atom, ("equals", input, literal), ("not", f), ("Fn::And"|"Fn::Or", f, ...)


class ConditionSolver:
    """Answers whether a set of assumptions about named conditions can hold together."""

    def __init__(self, conditions: Mapping[str, Any], parameters: Mapping[str, Any], literal: Callable[[Any], Any]):
        """``literal`` resolves a side of an Fn::Equals to a literal (str) or anything else (unknown)."""
        self._conditions = conditions
        self._parameters = parameters
        self._literal = literal
        self._formulas: dict[str, Formula] = {}
        self._answers: dict[Assumptions, bool] = {}

    def possible(self, assumptions: Assumptions) -> bool:
        if contradicts(assumptions):
            return False
        if assumptions not in self._answers:
            self._answers[assumptions] = self._solve(assumptions)
        return self._answers[assumptions]

    def _solve(self, assumptions: Assumptions) -> bool:
        wanted = [(self.formula(name), value) for name, value in assumptions]
        inputs: dict[str, set[Any]] = {}
        atoms: set[str] = set()
        for formula, _ in wanted:
            _collect(formula, inputs, atoms)
        domains: list[list[Any]] = []
        names = sorted(inputs)
        for name in names:
            allowed = self._allowed_values(name)
            domains.append(sorted(allowed, key=str) if allowed else [*sorted(inputs[name], key=str), _OTHER])
        atom_names = sorted(atoms)
        domains += [[True, False]] * len(atom_names)
        count = 1
        for domain in domains:
            count *= len(domain)
            if count > MAX_CHOICES:
                return True
        for choice in itertools.product(*domains):
            values = dict(zip(names, choice[: len(names)], strict=True))
            truths = dict(zip(atom_names, choice[len(names) :], strict=True))
            if all(_evaluate(formula, values, truths) is value for formula, value in wanted):
                return True
        return False

    def _allowed_values(self, name: str) -> list[str] | None:
        body = self._parameters.get(name)
        allowed = body.get("AllowedValues") if isinstance(body, Mapping) else None
        if isinstance(allowed, list) and allowed and all(isinstance(item, (str, int, float)) for item in allowed):
            return [str(item) for item in allowed]
        return None

    def formula(self, name: str, depth: int = 0) -> Formula:
        if name not in self._formulas:
            self._formulas[name] = _Atom(f"condition {name}")  # a cycle reads as free
            body = self._conditions.get(name)
            self._formulas[name] = self._read(body, depth) if body is not None else _Atom(f"condition {name}")
        return self._formulas[name]

    def _read(self, body: Any, depth: int) -> Formula:
        if depth > MAX_NESTING or not isinstance(body, Mapping) or len(body) != 1:
            return _Atom(_key(body))
        ((key, argument),) = body.items()
        if key == "Condition" and isinstance(argument, str):
            return self.formula(argument, depth + 1)
        if key == "Fn::Not" and isinstance(argument, list) and len(argument) == 1:
            return ("not", self._read(argument[0], depth + 1))
        if key in ("Fn::And", "Fn::Or") and isinstance(argument, list) and argument:
            return (key, *(self._read(item, depth + 1) for item in argument))
        if key == "Fn::Equals" and isinstance(argument, list) and len(argument) == 2:
            sides = [self._side(item) for item in argument]
            if all(isinstance(side, str) for side in sides):
                return sides[0] == sides[1]
            inputs = [side for side in sides if isinstance(side, _Input)]
            literals = [side for side in sides if isinstance(side, str)]
            if len(inputs) == 1 and len(literals) == 1:
                return ("equals", inputs[0].name, literals[0])
        return _Atom(_key(body))

    def _side(self, raw: Any) -> str | _Input | None:
        if isinstance(raw, Mapping) and len(raw) == 1 and isinstance(raw.get("Ref"), str):
            name = raw["Ref"]
            if name in self._parameters or name.startswith(PSEUDO_PREFIX):
                value = self._literal(raw)
                return value if isinstance(value, str) else _Input(name)
        value = self._literal(raw)
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (str, int, float)):
            return str(value)
        return None


def _key(body: Any) -> str:
    """The atom a condition the solver cannot read stands for: equal bodies give one atom, different ones
    two (a long body is named by its start and a digest of all of it, never by its start alone)."""
    try:
        text = json.dumps(body, sort_keys=True, default=str)
    except (TypeError, ValueError, RecursionError):
        text = repr(body)
    if len(text) <= ATOM_KEY_LENGTH:
        return text
    return f"{text[:ATOM_KEY_LENGTH]}… sha256:{hashlib.sha256(text.encode('utf-8', 'replace')).hexdigest()}"


def _collect(formula: Formula, inputs: dict[str, set[Any]], atoms: set[str]) -> None:
    if isinstance(formula, _Atom):
        atoms.add(formula.key)
    elif isinstance(formula, tuple):
        if formula[0] == "equals":
            inputs.setdefault(formula[1], set()).add(formula[2])
        else:
            for item in formula[1:]:
                _collect(item, inputs, atoms)


def _evaluate(formula: Formula, values: Mapping[str, Any], truths: Mapping[str, bool]) -> bool:
    if isinstance(formula, bool):
        return formula
    if isinstance(formula, _Atom):
        return truths[formula.key]
    head = formula[0]
    if head == "not":
        return not _evaluate(formula[1], values, truths)
    if head == "Fn::And":
        return all(_evaluate(item, values, truths) for item in formula[1:])
    if head == "Fn::Or":
        return any(_evaluate(item, values, truths) for item in formula[1:])
    return bool(values[formula[1]] == formula[2])  # "equals"
