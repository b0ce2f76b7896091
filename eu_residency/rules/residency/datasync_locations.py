"""EU-RES-026: DataSync tasks transfer data only between storage shown to be in allowed regions."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from eu_residency.core.endpoints import UrlEntry
from eu_residency.core.messages import shortened
from eu_residency.core.resolved import Cause, Text
from eu_residency.core.rule_model import PropertyPath, Rule, Severity, Violation
from eu_residency.core.template_view import Resource, ResourceRef, TemplateView, Unknown
from eu_residency.core.values import MISSING, text_options
from eu_residency.rules.predicates import arn_region_of, not_shown, prop_path, reference_region
from eu_residency.rules.residency._endpoints import aws_host, endpoint_violations
from eu_residency.rules.residency._replication import STAR, bucket_violations, local_reference, settled, walk

TASK = "AWS::DataSync::Task"
ENDS = (("SourceLocationArn", "the source location"), ("DestinationLocationArn", "the destination location"))
# Locations whose storage is an AWS file system: DataSync reaches it through network interfaces in the file
# system's own subnets, so the location is in the file system's region.
FILE_SYSTEM_LOCATIONS = frozenset(
    {
        "AWS::DataSync::LocationEFS",
        "AWS::DataSync::LocationFSxLustre",
        "AWS::DataSync::LocationFSxONTAP",
        "AWS::DataSync::LocationFSxOpenZFS",
        "AWS::DataSync::LocationFSxWindows",
    }
)
S3_LOCATION = "AWS::DataSync::LocationS3"
# Locations outside AWS, reached by an agent: the properties that name the server (HDFS: each NameNode).
SERVER_LOCATIONS: dict[str, tuple[str, ...]] = {
    "AWS::DataSync::LocationNFS": ("ServerHostname",),
    "AWS::DataSync::LocationSMB": ("ServerHostname",),
    "AWS::DataSync::LocationObjectStorage": ("ServerHostname",),
    "AWS::DataSync::LocationHDFS": ("NameNodes", STAR, "Hostname"),
}
AZURE_LOCATION = "AWS::DataSync::LocationAzureBlob"
LOCATIONS = frozenset({*FILE_SYSTEM_LOCATIONS, S3_LOCATION, *SERVER_LOCATIONS, AZURE_LOCATION})


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    yield from settled(_violations(resource, view))


def _violations(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    if resource.type == TASK:
        for prop, what in ENDS:
            for path, arn in walk(view, resource.properties, (prop,)):
                if arn is not MISSING:
                    yield from _task_end(view, arn, path, what)
    elif resource.type == S3_LOCATION:
        for path, bucket in walk(view, resource.properties, ("S3BucketArn",)):
            yield from bucket_violations(view, bucket, path, "the location's S3 bucket")
    elif resource.type in SERVER_LOCATIONS:
        for path, host in walk(view, resource.properties, SERVER_LOCATIONS[resource.type]):
            if host is not MISSING:
                yield from _server(view, host, path)
    elif resource.type == AZURE_LOCATION:
        for path, url in walk(view, resource.properties, ("AzureBlobContainerUrl",)):
            if url is not MISSING:
                yield from endpoint_violations(view, url, path, "the Azure Blob Storage container")


def _task_end(view: TemplateView, raw: Any, path: PropertyPath, what: str) -> Iterator[Violation]:
    """A location of the app is judged where it is defined (this rule reads its storage there); one the
    checked templates do not define may reach any storage, so only its ARN's region can be read."""
    where = prop_path(*path)
    for option in text_options(view, raw):
        if isinstance(option, ResourceRef) and not option.local:
            yield from reference_region(view, option, where, what)
        elif isinstance(option, ResourceRef):
            problem = local_reference(view, option, LOCATIONS)
            if problem is not None:
                yield not_shown(where, f"{what} cannot be shown to be in an allowed region", problem)
        else:
            yield from _location_arn(view, option, where, what)


def _location_arn(view: TemplateView, option: str | Unknown, where: PropertyPath, what: str) -> Iterator[Violation]:
    found = list(arn_region_of(view, option, where, what))
    yield from found
    if found:
        return  # outside the allowed regions, or its region cannot be shown
    shown = shortened(option.shown if isinstance(option, Text) else str(option))
    unknown = Unknown(f"the location {shown}, which the templates checked do not define", Cause.OTHER_STACK)
    message = (
        f"{what} {shown} is not defined in the templates checked: the storage it reaches (a bucket, a file "
        "system or a server outside AWS) and where that is cannot be shown"
    )
    yield Violation(where, message, Severity.ERROR, unknown)


def _server(view: TemplateView, raw: Any, path: PropertyPath) -> Iterator[Violation]:
    """A server that DataSync's agent reaches on premises or in another cloud: an AWS endpoint is where its
    region is; any other host passes only when a person vetted it (an eu-endpoints URL entry naming that host,
    with no path)."""
    what = "the location's server"
    for option in text_options(view, raw):
        if isinstance(option, Unknown) or aws_host(option) is not None:
            yield from endpoint_violations(view, option, path, what)
        elif not _host_is_vetted(view, option):
            unknown = Unknown(f"the server {option!r}, which is outside AWS", Cause.OTHER_STACK)
            message = (
                f"{what} {option!r} is outside AWS and its location cannot be shown from the template; no "
                "eu-residency:eu-endpoints entry names that host"
            )
            yield Violation(prop_path(*path), message, Severity.ERROR, unknown)


def _host_is_vetted(view: TemplateView, host: str) -> bool:
    """Whether an eu-endpoints URL entry vouches for the whole host ``host`` (an entry with a path vouches for
    that path only, so not for NFS, SMB or HDFS on the same host)."""
    name = host.lower().removesuffix(".")
    return any(
        isinstance(entry, UrlEntry) and not entry.path and entry.host == name for entry in view.settings.eu_endpoints
    )


RULE = Rule(
    id="EU-RES-026",
    title="DataSync transfers data only between storage shown to be in allowed regions",
    explanation=(
        "A DataSync task copies every file or object of its source location, user files included, to its "
        "destination location; a location in another region, or storage outside AWS (an NFS, SMB or HDFS "
        "server, object storage, an Azure Blob container), moves that data out of the EU or shows it is "
        "already kept there. A location or S3 bucket proven to be outside the allowed regions is fatal; one "
        "whose place cannot be shown (a parameter, a location the templates do not define, a server that no "
        "one vetted) is an error. EFS and FSx locations are in their file system's region."
    ),
    fix="Point SourceLocationArn and DestinationLocationArn at locations of this app in allowed regions; give "
    "LocationS3 an S3BucketArn of a bucket in an allowed region (a bucket outside the app: list it under "
    "replication_destinations); for a server outside AWS, once it is shown to be in the EU, add "
    "https://HOST/ to eu-residency:eu-endpoints (aws-cdk-lib has only DataSync L1 constructs).",
    severity=Severity.FATAL,
    unprovable_severity=Severity.ERROR,
    resource_types=frozenset({TASK, *LOCATIONS}),
    check_resource=check,
)
