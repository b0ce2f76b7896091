"""Helpers for the in-transit rules from EU-ENC-049 on: reading one text setting through every branch, and
following a resource to the settings resource it names (a cluster to its parameter group, an EMR cluster to
its security configuration), failing closed on what the template does not decide.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from eu_residency.core.messages import shortened, shown_value
from eu_residency.core.resolved import Cause, scalar
from eu_residency.core.rule_model import PropertyPath, Violation
from eu_residency.core.template_view import Resource, ResourceRef, TemplateView, Unknown, options
from eu_residency.core.values import MISSING, values_at
from eu_residency.rules.predicates import not_shown, prop_path, unresolved

Judge = Callable[[Resource, TemplateView], Iterator[Violation]]
DefaultJudge = Callable[[str | None], Iterator[Violation]]


def text_settings(view: TemplateView, properties: Mapping[str, Any], path: PropertyPath) -> list[str | Unknown | None]:
    """Every value a text setting may deploy with: known text (booleans and numbers as CloudFormation passes
    them), what it depends on, or None where it is not set."""
    found: list[str | Unknown | None] = []
    for option in values_at(view, properties, path):
        if option is MISSING:
            found.append(None)
            continue
        text = scalar(option)
        found.append(text if text is not None else Unknown(f"{shown_value(option)}, which is not text"))
    return found


@dataclass(frozen=True)
class SettingsLink:
    """A property naming a settings resource of ``target_type`` by name (a Ref to it gives its name)."""

    property: str  # on the resource that uses the settings: ClusterParameterGroupName
    target_type: str  # AWS::Redshift::ClusterParameterGroup
    name_property: str  # the settings resource's own name: ParameterGroupName
    what: str  # "the parameter group", for messages
    default_prefix: str | None = None  # names AWS gives its own settings: "default."


def linked_violations(
    resource: Resource, view: TemplateView, link: SettingsLink, judge: Judge, default: DefaultJudge
) -> Iterator[Violation]:
    """Why the settings ``resource`` names fall short, for every value ``link.property`` may take: ``judge``
    reads a settings resource of this template (its findings are moved onto ``link.property``), ``default``
    the case where none is named (None) or an AWS default is named by its literal name."""
    for option in options(view.resolve(resource.properties.get(link.property, MISSING))):
        if option is MISSING:
            yield from default(None)
        elif isinstance(option, ResourceRef) and option.local and option.attribute is None:
            yield from _referenced(view, link, judge, option.logical_id)
        elif isinstance(option, Unknown):
            yield unresolved((link.property,), f"{link.what} the cluster uses", option)
        elif isinstance(option, str):
            yield from _named(view, link, judge, default, option)
        else:
            malformed = Unknown(f"{shown_value(option)}, which is not a name", Cause.MALFORMED)
            yield unresolved((link.property,), f"{link.what} the cluster uses", malformed)


def _referenced(view: TemplateView, link: SettingsLink, judge: Judge, logical_id: str) -> Iterator[Violation]:
    target = view.resource(logical_id)
    if target is None or target.type != link.target_type:
        unknown = Unknown(f"the resource {logical_id}, which is not an {link.target_type}", Cause.RESOURCE)
        yield not_shown(prop_path(link.property), f"what {link.what} enforces cannot be shown", unknown)
        return
    yield from _moved(judge(target, view), link, target.logical_id)


def _named(
    view: TemplateView, link: SettingsLink, judge: Judge, default: DefaultJudge, name: str
) -> Iterator[Violation]:
    named = view.memo(f"{__name__}.{link.target_type}", lambda: _by_name(view, link))
    target = named.get(name.lower())
    if target is not None:
        yield from _moved(judge(target, view), link, target.logical_id)
    elif link.default_prefix is not None and name.lower().startswith(link.default_prefix):
        yield from default(name)
    else:
        unknown = Unknown(f"{link.what} {shortened(name)}, which this template does not define", Cause.OTHER_STACK)
        yield not_shown(prop_path(link.property), f"what {link.what} of the cluster enforces cannot be shown", unknown)


def _moved(violations: Iterator[Violation], link: SettingsLink, logical_id: str) -> Iterator[Violation]:
    for violation in violations:
        yield Violation(
            prop_path(link.property),
            f"it uses {link.what} {logical_id}, where {violation.message}",
            violation.severity,
            violation.unknown,
        )


def _by_name(view: TemplateView, link: SettingsLink) -> dict[str, Resource]:
    """The template's settings resources of ``link.target_type`` by their literal name, lower-cased (these
    names are stored in lower case); the first one a name is given to. Read once per template."""
    named: dict[str, Resource] = {}
    for target in view.resources_of_type(link.target_type):
        name = view.resolve(target.properties.get(link.name_property))
        if isinstance(name, str):
            named.setdefault(name.lower(), target)
    return named
