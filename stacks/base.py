"""The base of every platform stack: an explicit account and region, and no context lookups."""

from __future__ import annotations

from typing import Any

from aws_cdk import Environment, RemovalPolicy, Stack
from constructs import Construct

from stacks.config import PlatformConfig


class PlatformStack(Stack):
    """A stack pinned to the config's account and region (or ``region``, for a copy in another EU
    region; ``account``, for the organization's management account), protected from deletion where data
    is retained.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: PlatformConfig,
        description: str,
        region: str | None = None,
        account: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            env=Environment(account=account or config.account, region=region or config.region),
            description=description,
            termination_protection=config.retain_data,
            **kwargs,
        )
        self.config = config
        # What happens to stored data when a resource leaves the stack: kept where data is retained.
        self.data_removal_policy = RemovalPolicy.RETAIN if config.retain_data else RemovalPolicy.DESTROY

    @property
    def availability_zones(self) -> list[str]:
        """The zones pinned in config, so that synthesis needs no lookup and no credentials."""
        if self.region != self.config.region:
            raise ValueError(
                f"stack {self.node.path}: no availability zones are pinned for {self.region}; "
                f"only {self.config.region} has zones in cdk.json"
            )
        return list(self.config.availability_zones)
