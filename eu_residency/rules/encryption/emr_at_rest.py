"""EU-ENC-016: EMR clusters encrypt their local disks at rest, through a security configuration that says so."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from eu_residency.core.resolved import Cause, Text
from eu_residency.core.rule_model import PropertyPath, Rule, Severity, Violation
from eu_residency.core.template_view import Resource, ResourceRef, TemplateView, Unknown
from eu_residency.core.values import MISSING, descend, values_at
from eu_residency.rules._kms_keys import one_verdict
from eu_residency.rules.predicates import dotted, prop_path, unresolved

SECURITY_CONFIGURATION_TYPE = "AWS::EMR::SecurityConfiguration"
CLUSTER_TYPE = "AWS::EMR::Cluster"
# The property of both types: the configuration's JSON document (an object or a JSON string), and the
# cluster's configuration by name (Ref to the configuration gives its name).
DOCUMENT: PropertyPath = ("SecurityConfiguration",)
ENABLED: PropertyPath = ("EncryptionConfiguration", "EnableAtRestEncryption")
LOCAL_DISK: PropertyPath = (
    "EncryptionConfiguration",
    "AtRestEncryptionConfiguration",
    "LocalDiskEncryptionConfiguration",
)
# A deploy-time part of a JSON string (an Fn::Sub variable) stands in as this text while the JSON is read.
HOLE = "\u2063eu-residency-hole\u2063"

WHAT = "the encryption of the clusters' local disks"
DISKS = (
    "HDFS, shuffle and spill data on the clusters' disks are encrypted only if the account has EBS encryption by "
    "default"
)
NO_CONFIGURATION = (
    "the cluster has no security configuration (SecurityConfiguration is not set): EMR does not encrypt its local "
    "disks, so HDFS, shuffle and spill data are encrypted only if the account has EBS encryption by default"
)


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    if resource.type == CLUSTER_TYPE:
        yield from dict.fromkeys(_cluster(resource, view))
    else:
        documents = [_parsed(value) for value in values_at(view, resource.properties, DOCUMENT)]
        yield from one_verdict(DOCUMENT, WHAT, documents, lambda document: _judge(view, document))


# -- a security configuration ------------------------------------------------------------------------


def _parsed(value: Any) -> Any:
    """The configuration document: an object as written, a JSON string parsed (its deploy-time parts kept as
    ``HOLE``); an Unknown where it cannot be read; None where EMR would refuse it (the stack cannot deploy)."""
    if isinstance(value, Text):
        text = value.segments(HOLE)
    elif isinstance(value, str):
        text = value
    else:
        return value
    try:
        return json.loads(text)
    except ValueError:
        if isinstance(value, Text):
            return Unknown("a SecurityConfiguration built from values known only at deploy time", Cause.TEXT)
        return None


def _judge(view: TemplateView, document: Any) -> Iterator[Violation]:
    """One option of the configuration's document; where an undecided Fn::If inside it makes only some of
    its options encrypt, the outcome is decided at deploy time (``one_verdict`` fails closed)."""
    if document is MISSING or document is None:
        return  # no document, or text that is not JSON: CloudFormation cannot create the configuration
    if isinstance(document, Unknown) or not isinstance(document, Mapping):
        yield unresolved(DOCUMENT, WHAT, document if isinstance(document, Unknown) else Unknown("a malformed document"))
        return
    where = (*DOCUMENT, *ENABLED)
    yield from one_verdict(where, WHAT, descend(document, ENABLED), lambda enabled: _enabled(view, document, enabled))


def _enabled(view: TemplateView, document: Mapping[str, Any], enabled: Any) -> Iterator[Violation]:
    truth = False if enabled is MISSING else _truth(view, enabled)
    if isinstance(truth, Unknown):
        yield unresolved((*DOCUMENT, *ENABLED), WHAT, truth)
    elif not truth:
        state = "is not set" if enabled is MISSING else "is false"
        yield Violation(
            prop_path(*DOCUMENT, *ENABLED), f"encryption at rest is off ({dotted(ENABLED)} {state}): {DISKS}"
        )
    else:
        yield from one_verdict((*DOCUMENT, *LOCAL_DISK), WHAT, descend(document, LOCAL_DISK), _local_disks)


def _truth(view: TemplateView, value: Any) -> bool | Unknown:
    if value == HOLE:
        return Unknown("a value of the SecurityConfiguration known only at deploy time", Cause.TEXT)
    if isinstance(value, Unknown):
        return value
    truth = view.truth(value)
    return Unknown(f"{value!r}, which is neither true nor false", Cause.MALFORMED) if truth is None else truth


def _local_disks(local: Any) -> Iterator[Violation]:
    if local is MISSING:
        yield Violation(
            prop_path(*DOCUMENT, *LOCAL_DISK),
            f"encryption at rest covers EMRFS data in S3 only ({LOCAL_DISK[-1]} is not set): {DISKS}",
        )
    elif isinstance(local, Unknown) or local == HOLE:
        reason = local if isinstance(local, Unknown) else Unknown("a value known only at deploy time", Cause.TEXT)
        yield unresolved((*DOCUMENT, *LOCAL_DISK), WHAT, reason)


# -- a cluster -----------------------------------------------------------------------------------------


def _configuration_names(view: TemplateView) -> set[str]:
    def names() -> set[str]:
        return {
            name
            for configuration in view.resources_of_type(SECURITY_CONFIGURATION_TYPE)
            for name in values_at(view, configuration.properties, ("Name",))
            if isinstance(name, str)
        }

    return view.memo(f"{__name__}.configuration_names", names)


def _cluster(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    """A cluster uses a security configuration of this template (judged itself) or none at all."""
    for name in values_at(view, resource.properties, DOCUMENT):
        if name is MISSING:
            yield Violation(prop_path(*DOCUMENT), NO_CONFIGURATION)
        elif isinstance(name, ResourceRef):
            referent = view.resource(name.logical_id)
            if referent is None or referent.type != SECURITY_CONFIGURATION_TYPE:
                yield _outside(name)
        elif not (isinstance(name, str) and name in _configuration_names(view)):
            yield _outside(name if isinstance(name, Unknown) else Unknown(f"the security configuration {name!r}"))


def _outside(reason: Unknown) -> Violation:
    return Violation(
        prop_path(*DOCUMENT),
        f"the encryption of the cluster's local disks cannot be shown from the template: it uses a security "
        f"configuration outside this template ({reason.reason}) (fails closed)",
        Severity.ERROR,
        reason,
    )


RULE = Rule(
    id="EU-ENC-016",
    title="EMR clusters encrypt their local disks at rest, through a security configuration that says so",
    explanation=(
        "An EMR cluster keeps the data its jobs process, user data among it, on its nodes' disks: HDFS "
        "blocks, shuffle and spill files, and the EBS storage volumes that hold them. EMR encrypts them only "
        "when the cluster's security configuration sets EncryptionConfiguration.EnableAtRestEncryption: true "
        "with AtRestEncryptionConfiguration.LocalDiskEncryptionConfiguration; otherwise they are encrypted "
        "only if the account has EBS encryption by default, which the template cannot show. The privacy "
        "policy promises that personal data is encrypted at rest. EMRFS data in S3 is encrypted by S3 in any "
        "case; a configuration of this template is judged where it is defined, one outside it cannot be."
    ),
    fix="Give the cluster SecurityConfiguration: a security configuration of this template whose document sets "
    "EncryptionConfiguration {EnableAtRestEncryption: true, AtRestEncryptionConfiguration: "
    "{LocalDiskEncryptionConfiguration: {EncryptionKeyProviderType: AwsKms, AwsKmsKey: <key>, "
    "EnableEbsEncryption: true}}} (aws-cdk-lib has no EMR L2: aws_emr.CfnSecurityConfiguration and "
    "aws_emr.CfnCluster(security_configuration=configuration.ref)).",
    severity=Severity.ERROR,
    resource_types=frozenset({SECURITY_CONFIGURATION_TYPE, CLUSTER_TYPE}),
    check_resource=check,
)
