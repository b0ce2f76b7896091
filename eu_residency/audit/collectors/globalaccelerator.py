"""Global Accelerator (global; its API is in us-west-2 only): every accelerator is EU-RES-031."""

from __future__ import annotations

from eu_residency.audit.scope import Scope, pages

SERVICE = "globalaccelerator"
GLOBAL_SERVICE = True
API_REGION = "us-west-2"
ACCELERATOR = "AWS::GlobalAccelerator::Accelerator"


def collect(scope: Scope) -> None:
    for page in pages(scope.client(region=API_REGION), "list_accelerators"):
        for accelerator in page.get("Accelerators", []):
            arn = str(accelerator["AcceleratorArn"])
            name = accelerator.get("Name", arn)
            scope.finding(
                "EU-RES-031",
                arn,
                ACCELERATOR,
                f"the accelerator {name} ({'enabled' if accelerator.get('Enabled') else 'disabled'}) accepts "
                "connections at edge locations anywhere in the world",
            )
