"""EU-ENC-055: ECS task definitions mount EFS volumes with encryption in transit."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from eu_residency.core.resolved import scalar
from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, ResourceRef, TemplateView, Unknown
from eu_residency.core.values import MISSING, descend, elements
from eu_residency.rules.predicates import prop_path, unresolved

EFS = "EFSVolumeConfiguration"
ENABLED = "ENABLED"


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    for index, volume in elements(view.resolve(resource.properties.get("Volumes", MISSING))):
        if index is None:
            yield unresolved(("Volumes",), "that every EFS volume is mounted with encryption in transit", volume)
        elif isinstance(volume, Mapping) and volume.get(EFS, MISSING) is not MISSING:
            yield from _efs_volume(volume, index)


def _efs_volume(volume: Mapping[str, Any], index: int) -> Iterator[Violation]:
    path = ("Volumes", index, EFS, "TransitEncryption")
    if _transit_required(volume):
        return  # ECS refuses IAM authorization or an access point without transit encryption
    for option in descend(volume, (EFS, "TransitEncryption")):
        text = scalar(option)
        if isinstance(text, Unknown):
            yield unresolved(path, f"encryption in transit for the EFS volume {index}", text)
        elif text is None:
            yield Violation(
                prop_path(*path),
                f"the EFS volume {index} is mounted without encryption in transit: TransitEncryption is not "
                "set, so it is DISABLED and file data crosses the network in plain text",
            )
        elif text.upper() != ENABLED:
            yield Violation(
                prop_path(*path),
                f"the EFS volume {index} is mounted without encryption in transit (TransitEncryption is {text})",
            )


def _transit_required(volume: Mapping[str, Any]) -> bool:
    """Whether every option of the volume uses IAM authorization or an access point, with which ECS
    registers the task definition only if TransitEncryption is ENABLED."""
    iam = descend(volume, (EFS, "AuthorizationConfig", "IAM"))
    access_points = descend(volume, (EFS, "AuthorizationConfig", "AccessPointId"))
    iam_on = all(isinstance(scalar(value), str) and str(scalar(value)).upper() == ENABLED for value in iam)
    access_point_given = all(
        (isinstance(value, ResourceRef) and value.local) or (isinstance(value, str) and value != "")
        for value in access_points
    )
    return iam_on or access_point_given


RULE = Rule(
    id="EU-ENC-055",
    title="ECS task definitions mount EFS volumes with encryption in transit",
    explanation=(
        "Files a task reads from and writes to an EFS volume cross the network between the container host "
        "and the file system; with TransitEncryption DISABLED (the default) they travel in plain text, "
        "against the privacy policy's promise that user data is encrypted in transit. Encryption of the file "
        "system at rest is EU-ENC-009's."
    ),
    fix=(
        "Set Volumes[].EFSVolumeConfiguration.TransitEncryption: ENABLED, best with AuthorizationConfig "
        "{IAM: ENABLED} (L2: task_definition.add_volume(name=..., efs_volume_configuration="
        "ecs.EfsVolumeConfiguration(file_system_id=..., transit_encryption='ENABLED')))."
    ),
    severity=Severity.ERROR,
    resource_types=frozenset({"AWS::ECS::TaskDefinition"}),
    check_resource=check,
)
