"""The templates checked together, as one app: what each gives the others.

A cloud assembly, a folder or several files are one app. Its templates' views resolve, through the app,
``Fn::ImportValue`` (an output's export), ``Fn::GetStackOutput`` (CDK's weak cross-stack references: an
output of a stack by its name), CDK's cross-region references (the value a ``CrossRegionExportWriter``
writes under a name), the parameters a parent passes to its nested stacks, and the names of S3 buckets,
each known with the region of the stack that defines it. The synth-time plugin, the command and the
inventory build the same app view, so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from eu_residency.core.resolved import options
from eu_residency.core.settings import RuleSettings
from eu_residency.core.template_view import CROSS_REGION_EXPORT_WRITER, TemplateView


@dataclass(frozen=True)
class AppTemplate:
    """One template of the app and where it deploys (``region`` None: environment-agnostic)."""

    name: str
    template: Mapping[str, Any]
    region: str | None
    account: str | None = None
    # The deployed stack's name, for Fn::GetStackOutput (None: not known).
    stack_name: str | None = None
    # For a nested stack: the parent's template name, and the logical id of the stack resource there.
    parent: str | None = None
    nested_as: str | None = None


@dataclass(frozen=True)
class Located:
    """A resource of the app found by name: the template that defines it, and that stack's region."""

    template: str
    logical_id: str
    region: str | None


class AppView:
    """Every template of an app, each with its view, and the indexes the views resolve through."""

    def __init__(self, templates: Sequence[AppTemplate], settings: RuleSettings) -> None:
        self.settings = settings
        self._templates = {item.name: item for item in templates}
        self._views = {
            item.name: TemplateView(
                template=item.template,
                region=item.region,
                account=item.account,
                settings=settings,
                name=item.name,
                parent=item.parent,
                app=self,
            )
            for item in templates
        }
        self._by_stack_name: dict[str, list[str]] = {}
        self._exports: dict[str, tuple[str, Any]] | None = None
        self._cross_region: dict[str, tuple[str, Any]] | None = None
        self._buckets: dict[str, list[Located]] | None = None
        self._children: dict[tuple[str, str], str] = {}  # (parent, logical id) -> the nested stack's template
        for item in templates:
            if item.stack_name:
                self._by_stack_name.setdefault(item.stack_name, []).append(item.name)
        for item in self._templates.values():
            if item.parent is not None and item.nested_as is not None:
                self._children.setdefault((item.parent, item.nested_as), item.name)

    # -- templates -------------------------------------------------------------------------------

    def views(self) -> list[TemplateView]:
        return list(self._views.values())

    def view(self, name: str) -> TemplateView:
        return self._views[name]

    def nested_child(self, parent: str, logical_id: str) -> str | None:
        """The template of the nested stack ``logical_id`` of ``parent``, when it is one of the app's."""
        return self._children.get((parent, logical_id))

    # -- what templates give each other (AppLinks) ----------------------------------------------------

    def export(self, name: str) -> tuple[TemplateView, Any] | None:
        if self._exports is None:
            self._exports = {}
            for view in self._views.values():
                for body in _outputs(view).values():
                    export = body.get("Export")
                    if isinstance(export, Mapping):
                        exported = view.resolve(export.get("Name"))
                        if isinstance(exported, str) and "Value" in body:
                            self._exports.setdefault(exported, (view.name, body["Value"]))
        found = self._exports.get(name)
        return (self._views[found[0]], found[1]) if found else None

    def stack_output(self, stack: str, output: str, region: str | None) -> tuple[TemplateView, Any] | str:
        names = self._by_stack_name.get(stack, [])
        matching = [name for name in names if region is None or self._views[name].region in (region, None)]
        if not matching:
            return f"the output {output} of the stack {stack}, which is not among the templates checked"
        view = self._views[matching[0]]
        body = _outputs(view).get(output)
        if body is None or "Value" not in body:
            return f"the output {output} of the stack {stack}, which that stack does not define"
        return view, body["Value"]

    def passed_parameter(self, view: TemplateView, name: str) -> tuple[TemplateView, Any] | None:
        item = self._templates.get(view.name)
        if item is None or item.parent is None or item.nested_as is None or item.parent not in self._views:
            return None
        parent = self._views[item.parent]
        stack = parent.resource(item.nested_as)
        passed = stack.properties.get("Parameters") if stack is not None else None
        if not isinstance(passed, Mapping) or name not in passed:
            return None
        return parent, passed[name]

    def cross_region_export(self, name: str) -> tuple[TemplateView, Any] | None:
        if self._cross_region is None:
            self._cross_region = {}
            for view in self._views.values():
                for writer in view.resources_of_type(CROSS_REGION_EXPORT_WRITER):
                    props = writer.properties.get("WriterProps")
                    exports = props.get("exports") if isinstance(props, Mapping) else None
                    for key, value in exports.items() if isinstance(exports, Mapping) else ():
                        if isinstance(key, str):
                            self._cross_region.setdefault(key, (view.name, value))
        found = self._cross_region.get(name)
        return (self._views[found[0]], found[1]) if found else None

    # -- resources by name ----------------------------------------------------------------------------

    def buckets_named(self, name: str) -> list[Located]:
        """The S3 buckets of the app named ``name`` (a bucket name is global: at most one deploys)."""
        if self._buckets is None:
            self._buckets = {}
            for view in self._views.values():
                for bucket in view.resources_of_type("AWS::S3::Bucket"):
                    for option in options(view.resolve(bucket.properties.get("BucketName"))):
                        if isinstance(option, str):
                            located = Located(view.name, bucket.logical_id, view.region)
                            self._buckets.setdefault(option, []).append(located)
        return self._buckets.get(name, [])

    def bucket_regions(self) -> dict[str, str | None]:
        """Bucket name (and ``TEMPLATE#LOGICAL-ID``) -> the region of the stack that defines it."""
        self.buckets_named("")
        regions: dict[str, str | None] = {}
        for name, found in (self._buckets or {}).items():
            regions[name] = found[0].region
        for view in self._views.values():
            for bucket in view.resources_of_type("AWS::S3::Bucket"):
                regions[f"{view.name}#{bucket.logical_id}"] = view.region
        return regions


def _outputs(view: TemplateView) -> dict[str, Mapping[str, Any]]:
    outputs = view.template.get("Outputs")
    if not isinstance(outputs, Mapping):
        return {}
    return {str(name): body for name, body in outputs.items() if isinstance(body, Mapping)}


__all__ = ["AppTemplate", "AppView", "Located"]
