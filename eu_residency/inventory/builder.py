"""The data inventory of an app: every data-bearing resource, how it is encrypted, and where its data can go.

Pure Python over CloudFormation templates (no aws_cdk, no jsii), for the security review pack. Values are
read through the core's one resolver over the app the check builds (``engine.app_of``): references between
the app's stacks (``Fn::GetStackOutput``, ``Fn::ImportValue``, CDK's cross-region references, a parent's
parameters to its nested stacks) are followed into the template that defines them. What the templates do not decide is
shown as such: a region that cannot be shown is ``"unknown"`` and counts as outside the allowed set, a key
that cannot be shown is ``"cannot be shown"``; nothing is guessed in the reader's favour.
"""

from __future__ import annotations

from collections.abc import Sequence

from eu_residency.core.settings import RuleSettings
from eu_residency.core.template_view import Resource
from eu_residency.core.values import MISSING
from eu_residency.core.vocabulary import CLASSIFICATION_TAG, RESIDENCY_TAG
from eu_residency.inventory.at_rest import encryption_at_rest
from eu_residency.inventory.flow_graph import FlowGraph
from eu_residency.inventory.flows import record_flows
from eu_residency.inventory.in_transit import encryption_in_transit
from eu_residency.inventory.records import (
    DATA_BEARING_TYPES,
    UNCLASSIFIED,
    UNKNOWN_CLASSIFICATION,
    DataStore,
    Flow,
    Inventory,
)
from eu_residency.inventory.resolver import AppResolver, AppStack
from eu_residency.rules.engine import TemplateInput


def build_inventory(inputs: Sequence[TemplateInput], *, settings: RuleSettings | None = None) -> Inventory:
    """The inventory of the templates of one app, given as the check is given them."""
    settings = settings or RuleSettings()
    app = AppResolver.of(inputs, settings)
    graph = FlowGraph(app, settings)
    record_flows(app, graph)
    flows = tuple(graph.flows)
    stores = [
        _store(app, stack, resource, flows, settings)
        for stack in app.stacks
        for resource in stack.view.resources()
        if resource.type in DATA_BEARING_TYPES
    ]
    return Inventory(stores=tuple(stores), flows=flows, allowed_regions=settings.allowed_regions)


def _store(
    app: AppResolver, stack: AppStack, resource: Resource, flows: tuple[Flow, ...], settings: RuleSettings
) -> DataStore:
    own = tuple(
        flow for flow in flows if flow.source.template == stack.name and flow.source.logical_id == resource.logical_id
    )
    classification, residency = _classification(app, stack, resource)
    return DataStore(
        template=stack.name,
        stack=stack.stack,
        logical_id=resource.logical_id,
        construct_path=resource.construct_path,
        type=resource.type,
        region=stack.region,
        inside=stack.region in settings.allowed_regions,
        classification=classification,
        residency=residency,
        description=_description(app, stack, resource),
        at_rest=encryption_at_rest(app, stack, resource),
        in_transit=encryption_in_transit(app, stack, resource),
        flows=own,
    )


def _classification(app: AppResolver, stack: AppStack, resource: Resource) -> tuple[str, str | None]:
    """The store's data classification and residency, from the tags the secure constructs write."""
    tags = app.tags(stack, resource)

    def one(name: str) -> str | None:
        values = tags.get(name)
        if not values:
            return None
        distinct = set(values)
        only = distinct.pop() if len(distinct) == 1 else None
        return only if isinstance(only, str) else UNKNOWN_CLASSIFICATION

    return one(CLASSIFICATION_TAG) or UNCLASSIFIED, one(RESIDENCY_TAG)


def _description(app: AppResolver, stack: AppStack, resource: Resource) -> str | None:
    for name in ("Description", "ReplicationGroupDescription"):
        texts = app.texts(stack, resource.properties.get(name, MISSING))
        if texts and isinstance(texts[0], str):
            return texts[0]
    return None
