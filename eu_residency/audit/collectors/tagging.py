"""Resource Groups Tagging: the data-classification tag of every store in a region, in one listing.

Produces no inventory and no finding: the runner joins the tags to the inventory by ARN. A tag the
store's own listing returns (RDS, EFS, Secrets Manager) counts first.
"""

from __future__ import annotations

from eu_residency.audit.scope import Scope, pages, tag_value
from eu_residency.core.vocabulary import CLASSIFICATION_TAG

SERVICE = "resourcegroupstaggingapi"


def collect(scope: Scope) -> None:
    for page in pages(scope.client(), "get_resources", TagFilters=[{"Key": CLASSIFICATION_TAG}]):
        for mapping in page.get("ResourceTagMappingList", []):
            value = tag_value(mapping.get("Tags"))
            if value is not None:
                scope.classifications[str(mapping["ResourceARN"])] = value
