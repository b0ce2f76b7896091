"""The data-store inventory of an app: where each store is, how it is encrypted, and where its data flows."""

from eu_residency.inventory.builder import build_inventory
from eu_residency.inventory.records import (
    DATA_BEARING_TYPES,
    SOURCE_TYPES,
    UNCLASSIFIED,
    UNKNOWN_CLASSIFICATION,
    UNKNOWN_REGION,
    AtRest,
    AtRestStatus,
    DataStore,
    Endpoint,
    Flow,
    FlowKind,
    InTransit,
    InTransitStatus,
    Inventory,
    short_name,
    stack_name,
)

__all__ = [
    "DATA_BEARING_TYPES",
    "SOURCE_TYPES",
    "UNCLASSIFIED",
    "UNKNOWN_CLASSIFICATION",
    "UNKNOWN_REGION",
    "AtRest",
    "AtRestStatus",
    "DataStore",
    "Endpoint",
    "Flow",
    "FlowKind",
    "InTransit",
    "InTransitStatus",
    "Inventory",
    "build_inventory",
    "short_name",
    "stack_name",
]
