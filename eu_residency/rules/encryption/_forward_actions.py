"""Load balancer (ELBv2) listener and listener-rule actions: the target groups an action forwards to, read
the same way by the rules on what a listener accepts (EU-ENC-041) and on what it forwards to (EU-ENC-064).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from eu_residency.core.rule_model import PropertyPath
from eu_residency.core.values import MISSING, descend, elements

LISTENER_RULE = "AWS::ElasticLoadBalancingV2::ListenerRule"
TARGET_GROUP = "AWS::ElasticLoadBalancingV2::TargetGroup"


def action_target_groups(action: Any, path: PropertyPath) -> Iterator[tuple[PropertyPath, Any]]:
    """The target groups an action (at ``path``) forwards to, each with its path: TargetGroupArn, and every
    ForwardConfig.TargetGroups[].TargetGroupArn (redirects and fixed responses forward nowhere). An item of
    ForwardConfig.TargetGroups without TargetGroupArn gives MISSING."""
    for value in descend(action, ("TargetGroupArn",)):
        if value is not MISSING:
            yield (*path, "TargetGroupArn"), value
    for groups in descend(action, ("ForwardConfig", "TargetGroups")):
        for index, item in elements(groups):
            item_path = (*path, "ForwardConfig", "TargetGroups", *(() if index is None else (index, "TargetGroupArn")))
            if index is None:
                yield item_path, item
                continue
            for value in descend(item, ("TargetGroupArn",)):
                yield item_path, value
