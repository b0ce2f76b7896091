"""SAM templates (``Transform: AWS::Serverless-2016-10-31``) checked as what they deploy.

AWS's own translator (``aws-sam-translator``, the ``[sam]`` extra) turns the template into the CloudFormation
that CloudFormation would deploy, offline: no boto3 session, no AWS call, nothing read from the environment.
Each resource it generates is marked with the SAM resource the user wrote, so that a finding on it is
reported there (its logical id and line) and names the generated resource; plain resources keep their own.
Every parameter stays chosen at deploy time: where SAM needs a literal to translate at all, a documented
stand-in takes the place of the intrinsic, in properties no rule reads or that are put back once translated.
"""

from __future__ import annotations

import copy
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from eu_residency.core.regions import partition_of
from eu_residency.core.rule_model import Finding
from eu_residency.core.vocabulary import (
    CROSS_STACK_FUNCTIONS,
    PARTITION,
    REGION,
    SAM_TRANSFORM,
    VALUE_FUNCTIONS,
    declares_transform,
)
from eu_residency.template_loader import TemplateError

SAM_TYPE_PREFIX = "AWS::Serverless::"
SAM_EXTRA = "eu-residency[sam]"

# The region translated for when the stack's is not known. SAM reads the region for one thing only, the
# partition (the pseudo parameters stay ${AWS::Region} and ${AWS::Partition} in the translation, see
# _unresolved): every EU region but the European Sovereign Cloud's is in the standard partition, the only one
# where SAM leaves an API edge-optimized by default, so this choice can only add findings, never hide one.
PLACEHOLDER_REGION = "eu-west-1"

# The form CloudFormation passes for a value SAM must not resolve (SAM returns the reference unchanged): every
# parameter is passed so, and stays chosen at deploy time in the translation, as the rules read it.
_UNRESOLVED = "{{IntrinsicFunction:eu-residency/%s}}"
_FUNCTIONS = frozenset({"Ref", *VALUE_FUNCTIONS, *CROSS_STACK_FUNCTIONS})

# Values SAM must read as literals to translate at all, standing in for the intrinsic the template gives: SAM
# resolves a parameter's Ref with the value CloudFormation passes at deploy time (the check has none), and
# AWS::LanguageExtensions, when declared, resolves the other intrinsics before SAM reads them. By section of
# Globals and SAM type (AWS::Serverless::<section>), the property path and its stand-in. No rule reads any
# of them (alias names, code hashes, CodeDeploy and usage-plan settings, a layer's retention), so no verdict
# depends on the value put in; the endpoint type of a REST API's custom domain, which EU-RES-032 reads, is put
# back as written once translated. The loader has already expanded AWS::LanguageExtensions and dropped its
# declaration, so any intrinsic gets the stand-in, declared or not: a template CloudFormation would refuse for
# want of that transform deploys nothing.
DEPLOY_TIME_NAME = "ChosenAtDeployTime"  # letters only: SAM makes logical ids of alias names and code hashes
DOMAIN_ENDPOINT = ("Domain", "EndpointConfiguration")
DOMAIN_NAME = ("Domain", "DomainName")
DEPLOY_TIME_LITERALS: Mapping[str, Mapping[tuple[str, ...], Any]] = {
    "Function": {
        ("AutoPublishAlias",): DEPLOY_TIME_NAME,
        ("AutoPublishCodeSha256",): DEPLOY_TIME_NAME,
        ("AutoPublishAliasAllProperties",): True,
        ("DeploymentPreference", "PassthroughCondition"): True,
    },
    "StateMachine": {("AutoPublishAlias",): DEPLOY_TIME_NAME},
    "LayerVersion": {("RetentionPolicy",): "Retain"},
    "Api": {("Auth", "UsagePlan", "CreateUsagePlan"): "PER_API", DOMAIN_ENDPOINT: "REGIONAL"},
    "HttpApi": {DOMAIN_ENDPOINT: "REGIONAL"},  # the only endpoint type SAM accepts for an HTTP API's domain
}
REST_DOMAIN_TYPE = "AWS::ApiGateway::DomainName"
# S3 locations SAM parses itself (s3://bucket/key, or Bucket and Key): one given by an intrinsic becomes this
# one (code, a layer's content, an API's or a state machine's definition; no rule reads where they are kept).
PARSED_LOCATIONS = ("CodeUri", "ContentUri", "DefinitionUri")
DEPLOY_TIME_LOCATION = "s3://location-chosen-at-deploy-time/artifact"
# An application's template URL given by an intrinsic: SAM passes it on as the nested stack's TemplateURL,
# which is then put back as written (EU-RES-002 reads it).
DEPLOY_TIME_TEMPLATE = "template-chosen-at-deploy-time"
# A resource policy's VPC lists SAM takes only as text; items given by intrinsics go in the list made for them.
INTRINSIC_VPC_LISTS: Mapping[str, str] = {
    "SourceVpcWhitelist": "IntrinsicVpcWhitelist",
    "SourceVpcBlacklist": "IntrinsicVpcBlacklist",
}

# Local files `sam package` / `aws cloudformation package` upload before deploying, by resource type; the
# translator takes only S3 locations, so a local path becomes a location in this bucket (no rule reads it).
LOCAL_ARTIFACTS: Mapping[str, tuple[str, ...]] = {
    "AWS::Serverless::Function": ("CodeUri",),
    "AWS::Serverless::WebFunction": ("CodeUri",),
    "AWS::Serverless::MicrovmImage": ("CodeUri",),
    "AWS::Serverless::LayerVersion": ("ContentUri",),
    "AWS::Serverless::Api": ("DefinitionUri",),
    "AWS::Serverless::HttpApi": ("DefinitionUri",),
    "AWS::Serverless::StateMachine": ("DefinitionUri",),
    "AWS::Serverless::GraphQLApi": ("SchemaUri",),
}
GLOBAL_ARTIFACTS: Mapping[str, tuple[str, ...]] = {"Function": ("CodeUri",), "Api": ("DefinitionUri",)}
LOCAL_ARTIFACT_BUCKET = "local-artifact-uploaded-by-sam-package"
# What `sam package` uploads the template's folder for when the template names no code: a zip function (no
# InlineCode, no PackageType Image) or a layer.
PACKAGED_WHEN_ABSENT: Mapping[str, str] = {
    "AWS::Serverless::Function": "CodeUri",
    "AWS::Serverless::LayerVersion": "ContentUri",
}
INLINE_CODE = "InlineCode"
ZIP_PACKAGE, IMAGE_PACKAGE = "Zip", "Image"
# An image function before `sam build` names its Dockerfile in Metadata instead of an ImageUri.
LOCAL_IMAGE = "image-built-by-sam-build"
IMAGE_BUILD_METADATA = ("Dockerfile", "DockerContext")

# A Serverless Application Repository application: the nested stack's template is made by SAR at deploy time.
SAR_APPLICATION = "AWS::Serverless::Application"
SAR_TEMPLATE_SCHEME = "serverlessrepo://"
SAR_LOCATION_KEYS = ("ApplicationId", "SemanticVersion")

# The APIs SAM creates for events that name none, and the event type and property that lead to them.
IMPLICIT_APIS: Mapping[str, tuple[str, str, str]] = {
    "ServerlessRestApi": ("Api", "RestApiId", "REST API"),
    "ServerlessHttpApi": ("HttpApi", "ApiId", "HTTP API"),
}
# Where a generated resource's origin is kept (the object is one no template file can hold).
ORIGIN_METADATA = "eu-residency:sam-origin"
_TRANSLATOR_LOG = "samtranslator"


@dataclass(frozen=True)
class SamOrigin:
    """The SAM resources a generated resource deploys for (the first is where findings are reported)."""

    owners: tuple[str, ...]
    owner_type: str
    # What the generated resource is, when more than its type says ("the REST API SAM creates for ...").
    role: str | None = None


def is_sam(template: Mapping[str, Any]) -> bool:
    """True when the template names the SAM transform (alone or in a list of transforms), or has a SAM
    resource without naming it: CloudFormation deploys no such template, and reading its SAM resources as
    opaque types would find nothing in them, so it is checked as the transform would make it."""
    if declares_transform(template, SAM_TRANSFORM):
        return True
    return any(_is_sam_resource(body) for body in _mapping(template.get("Resources")).values())


def as_deployed(template: dict[str, Any], source: str, region: str | None) -> dict[str, Any]:
    """The template as CloudFormation deploys it: a SAM template translated for ``region`` (when None, for
    ``PLACEHOLDER_REGION``'s partition), any other template unchanged. A template the translator refuses is
    a ``TemplateError`` naming ``source`` and the translator's first message."""
    if not is_sam(template):
        return template
    try:
        from samtranslator.internal.managed_policies import (  # type: ignore[import-untyped]  # noqa: PLC0415
            get_bundled_managed_policy_map,
        )
        from samtranslator.model.exceptions import InvalidDocumentException  # type: ignore[import-untyped]  # noqa: PLC0415
        from samtranslator.parser.parser import Parser  # type: ignore[import-untyped]  # noqa: PLC0415
        from samtranslator.translator.translator import Translator  # type: ignore[import-untyped]  # noqa: PLC0415
    except ImportError:
        raise TemplateError(
            f"{source}: a SAM template (Transform {SAM_TRANSFORM}) is checked as what it deploys, which needs "
            f"AWS's SAM translator: install {SAM_EXTRA}"
        ) from None
    import logging  # noqa: PLC0415 - only a SAM template needs it

    translator_log = logging.getLogger(_TRANSLATOR_LOG)
    if not any(isinstance(handler, logging.NullHandler) for handler in translator_log.handlers):
        translator_log.addHandler(logging.NullHandler())  # its warnings are not the person's to read
    stack_region = region or PLACEHOLDER_REGION
    policies = get_bundled_managed_policy_map(partition_of(stack_region))
    sam_template, domain_endpoints = _prepared(template)
    values = _unresolved([*_mapping(template.get("Parameters")), REGION, PARTITION])
    translator = Translator(policies, Parser(), boto_session=_Session(stack_region))
    try:  # the translator writes into sam_template (implicit APIs, events), which _marked reads
        translated = translator.translate(sam_template, values, passthrough_metadata=True)
    except InvalidDocumentException as refused:
        causes = refused.causes or [refused]
        error = " ".join(str(causes[0].message).split())
        raise TemplateError(f"{source}: the SAM transform refuses the template: {error}") from None
    except Exception as failure:  # the translator's own failure on input it does not expect
        error = " ".join(f"{type(failure).__name__}: {failure}".split())
        raise TemplateError(f"{source}: the SAM transform refuses the template: {error}") from None
    finally:
        translator.metrics.publish()  # else it warns on stderr, at exit, that metrics were not published
    _restore_applications(translated, template)
    _restore_domain_endpoints(translated, template, domain_endpoints)
    return _marked(translated, template, sam_template)


def reported(template: Mapping[str, Any], finding: Finding) -> Finding:
    """``finding`` on a resource SAM generated, reported on the SAM resource the user wrote: its logical id,
    its type, no property path of its own, and a message that names the generated resource; any other
    finding unchanged."""
    origin = _origin(template, finding.logical_id)
    if origin is None or finding.logical_id is None:
        return finding
    generated = finding.logical_id
    where = ".".join(str(part) for part in finding.path)
    at = f"at {where} of {generated}" if where else f"on {generated}"
    resource_type = finding.resource_type or "resource"
    role = origin.role or f"the {resource_type} SAM creates for {_names(origin.owners)}"
    return replace(
        finding,
        logical_id=origin.owners[0],
        resource_type=origin.owner_type,
        path=(),
        message=f"{finding.message} ({at}, {role})",
    )


class _Session:
    """What the translator reads of a boto3 session: the region, which it turns into the partition."""

    def __init__(self, region_name: str) -> None:
        self.region_name = region_name


def _unresolved(names: Sequence[str]) -> dict[str, str]:
    return {name: _UNRESOLVED % name for name in names}


def _is_sam_resource(body: Any) -> bool:
    return isinstance(body, Mapping) and isinstance(body.get("Type"), str) and body["Type"].startswith(SAM_TYPE_PREFIX)


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _is_intrinsic(value: Any) -> bool:
    return isinstance(value, Mapping) and len(value) == 1 and next(iter(value)) in _FUNCTIONS


def _prepared(template: Mapping[str, Any]) -> tuple[dict[str, Any], list[tuple[Any, Any]]]:
    """A copy of ``template`` the translator can read offline, and the custom domains of REST APIs whose
    endpoint type it stands in for (their domain name and the endpoint type as written): each SAM resource
    marked with its logical id (SAM copies the marked Metadata onto what it generates), local artifacts as
    S3 locations, the literals SAM needs in place of intrinsics, and each SAR application's Location kept
    from the Serverless Application Repository (a call to AWS)."""
    prepared = copy.deepcopy(dict(template))
    globals_section = _mapping(prepared.get("Globals"))
    shared = {section: copy.deepcopy(dict(_mapping(globals_section.get(section)))) for section in DEPLOY_TIME_LITERALS}
    domains: list[tuple[Any, Any]] = []
    for section, properties in globals_section.items():
        if isinstance(properties, dict):
            _upload(properties, GLOBAL_ARTIFACTS.get(section, ()))
            _stand_in(properties, DEPLOY_TIME_LITERALS.get(section, {}))
            _intrinsic_vpc_lists(properties)
    if _is_intrinsic(_get(shared["Api"], DOMAIN_ENDPOINT)):  # the implicit API's domain, and those of others
        domains.append((_get(shared["Api"], DOMAIN_NAME), _get(shared["Api"], DOMAIN_ENDPOINT)))
    for logical_id, resource in _mapping(prepared.get("Resources")).items():
        if not isinstance(resource, dict):
            continue
        metadata = resource.get("Metadata")
        if isinstance(metadata, dict):
            metadata.pop(ORIGIN_METADATA, None)
        if not _is_sam_resource(resource):
            continue
        resource_type = resource["Type"]
        if metadata is None:
            metadata = resource["Metadata"] = {}
        if isinstance(metadata, dict):
            metadata[ORIGIN_METADATA] = logical_id
        properties = resource.get("Properties")
        if properties is None and resource_type in PACKAGED_WHEN_ABSENT:
            properties = resource["Properties"] = {}
        if not isinstance(properties, dict):
            continue
        section = resource_type.removeprefix(SAM_TYPE_PREFIX)
        if section == "Api":
            domain = _merged(shared["Api"], properties, "Domain")
            if _is_intrinsic(domain.get(DOMAIN_ENDPOINT[-1])):
                domains.append((domain.get(DOMAIN_NAME[-1]), domain[DOMAIN_ENDPOINT[-1]]))
        _package_absent_code(resource_type, properties, shared.get(section, {}))
        _upload(properties, LOCAL_ARTIFACTS.get(resource_type, ()))
        _stand_in(properties, DEPLOY_TIME_LITERALS.get(section, {}))
        _intrinsic_vpc_lists(properties)
        if section == "Function":
            _deployable_preference(properties, shared["Function"])
        building = isinstance(metadata, Mapping) and any(key in metadata for key in IMAGE_BUILD_METADATA)
        if properties.get("PackageType") == IMAGE_PACKAGE and "ImageUri" not in properties and building:
            properties["ImageUri"] = LOCAL_IMAGE
        if resource_type == SAR_APPLICATION:
            _application_location(logical_id, properties)
    return prepared, domains


def _get(properties: Mapping[str, Any], path: Sequence[str]) -> Any:
    value: Any = properties
    for key in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def _merged(shared: Mapping[str, Any], properties: Mapping[str, Any], name: str) -> dict[str, Any]:
    """A map property as SAM merges Globals into it (the resource's keys win), as it was written."""
    return {**_mapping(shared.get(name)), **_mapping(properties.get(name))}


def _stand_in(properties: dict[str, Any], literals: Mapping[tuple[str, ...], Any]) -> None:
    for path, literal in literals.items():
        parent = _get(properties, path[:-1])
        if isinstance(parent, dict) and _is_intrinsic(parent.get(path[-1])):
            parent[path[-1]] = literal
    for name in PARSED_LOCATIONS:
        if _is_intrinsic(properties.get(name)):
            properties[name] = DEPLOY_TIME_LOCATION


def _package_absent_code(resource_type: str, properties: dict[str, Any], shared: Mapping[str, Any]) -> None:
    """The template's folder, as `sam package` uploads it, for a zip function or a layer that names no code."""
    name = PACKAGED_WHEN_ABSENT.get(resource_type)
    if name is None or name in properties or name in shared or INLINE_CODE in properties:
        return
    if properties.get("PackageType", ZIP_PACKAGE) == ZIP_PACKAGE:
        properties[name] = "."


def _intrinsic_vpc_lists(properties: dict[str, Any]) -> None:
    """The VPC list items given by intrinsics, moved to the list SAM takes them in: in the resource policy of
    an API (or of Globals) and of each API event."""
    events = _mapping(properties.get("Events")).values()
    for owner in (properties, *(_mapping(event).get("Properties") for event in events)):
        policy = _get(_mapping(owner), ("Auth", "ResourcePolicy"))
        if not isinstance(policy, dict):
            continue
        for text_list, intrinsic_list in INTRINSIC_VPC_LISTS.items():
            items = policy.get(text_list)
            given = policy.get(intrinsic_list) or []
            if not isinstance(items, list) or not isinstance(given, list):
                continue
            moved = [item for item in items if _is_intrinsic(item)]
            if moved:
                policy[text_list] = [item for item in items if not _is_intrinsic(item)]
                policy[intrinsic_list] = [*given, *moved]


def _deployable_preference(properties: dict[str, Any], shared: Mapping[str, Any]) -> None:
    """A DeploymentPreference whose Enabled is an intrinsic: SAM reads it as true, which it refuses without a
    Type and an AutoPublishAlias; then false is the only value the template deploys with, and is put in."""
    preference = properties.get("DeploymentPreference")
    merged = _merged(shared, properties, "DeploymentPreference")
    if not _is_intrinsic(merged.get("Enabled")) or not isinstance(preference, (dict, type(None))):
        return
    alias = properties.get("AutoPublishAlias", shared.get("AutoPublishAlias"))
    if "Type" in merged and alias is not None:
        return
    if preference is None:
        properties["DeploymentPreference"] = {"Enabled": False}
    else:
        preference["Enabled"] = False


def _application_location(logical_id: str, properties: dict[str, Any]) -> None:
    """A SAR application's Location that SAM reads without calling AWS: a template URL given by an intrinsic
    as a stand-in (put back once translated), a complete ApplicationId and SemanticVersion as a URL naming
    the resource; empty parts are SAM's to refuse, and it does so without a call."""
    location = properties.get("Location")
    if _is_intrinsic(location):
        properties["Location"] = DEPLOY_TIME_TEMPLATE
    elif isinstance(location, dict):
        for key in SAR_LOCATION_KEYS:
            if key in location and not location[key]:
                location[key] = None
        if all(location.get(key) is not None for key in SAR_LOCATION_KEYS):
            properties["Location"] = f"{SAR_TEMPLATE_SCHEME}{logical_id}"


def _upload(properties: dict[str, Any], names: Sequence[str]) -> None:
    for name in names:
        value = properties.get(name)
        if isinstance(value, str) and not value.startswith("s3://"):
            properties[name] = f"s3://{LOCAL_ARTIFACT_BUCKET}/{value.lstrip('./') or 'artifact'}"


def _restore_applications(translated: Mapping[str, Any], original: Mapping[str, Any]) -> None:
    """An application's nested stack: its TemplateURL is the Location's intrinsic as written, or names the SAR
    application and version it deploys."""
    resources = _mapping(translated.get("Resources"))
    for logical_id, resource in _mapping(original.get("Resources")).items():
        if not (isinstance(resource, Mapping) and resource.get("Type") == SAR_APPLICATION):
            continue
        location = _mapping(resource.get("Properties")).get("Location")
        stack = _mapping(resources.get(logical_id)).get("Properties")
        if _is_intrinsic(location) and isinstance(stack, dict):
            stack["TemplateURL"] = copy.deepcopy(location)
        if not isinstance(location, Mapping) or _is_intrinsic(location) or not isinstance(stack, dict):
            continue
        application, version = (location.get(key) for key in SAR_LOCATION_KEYS)
        parts: list[Any] = [SAR_TEMPLATE_SCHEME, application, "/", version]
        texts = [part for part in parts if isinstance(part, str)]
        stack["TemplateURL"] = "".join(texts) if len(texts) == len(parts) else {"Fn::Join": ["", parts]}


def _restore_domain_endpoints(
    translated: Mapping[str, Any], original: Mapping[str, Any], domains: Sequence[tuple[Any, Any]]
) -> None:
    """Each custom domain SAM made with the stand-in endpoint type, given the type as written (a parameter
    stays chosen at deploy time): the domain names match, and only a domain SAM generated is changed."""
    stand_in = {"Types": [DEPLOY_TIME_LITERALS["Api"][DOMAIN_ENDPOINT]]}
    written = _mapping(original.get("Resources"))
    for logical_id, resource in _mapping(translated.get("Resources")).items():
        if logical_id in written or not isinstance(resource, Mapping) or resource.get("Type") != REST_DOMAIN_TYPE:
            continue
        properties = resource.get("Properties")
        if not isinstance(properties, dict) or properties.get("EndpointConfiguration") != stand_in:
            continue
        for domain_name, endpoint in domains:
            if properties.get("DomainName") == domain_name:
                properties["EndpointConfiguration"] = {"Types": [copy.deepcopy(endpoint)]}
                break


def _marked(translated: dict[str, Any], original: Mapping[str, Any], sam_template: Mapping[str, Any]) -> dict[str, Any]:
    """The translation with each generated resource's ``SamOrigin`` in its Metadata, found from the SAM
    resource whose Metadata SAM copied onto it or, for what SAM generates for several resources at once
    (implicit APIs, CodeDeploy), from the marked resources nearest to it through its references."""
    original_resources = _mapping(original.get("Resources"))
    sam_types = {
        logical_id: str(resource.get("Type"))
        for logical_id, resource in _mapping(sam_template.get("Resources")).items()
        if _is_sam_resource(resource)
    }
    resources = _mapping(translated.get("Resources"))
    owners: dict[str, tuple[str, ...]] = {}
    generated: list[str] = []
    for logical_id, resource in resources.items():
        if not isinstance(resource, dict):
            continue
        metadata = resource.get("Metadata")
        mark = metadata.get(ORIGIN_METADATA) if isinstance(metadata, Mapping) else None
        if isinstance(mark, str) and mark in sam_types:
            owners[logical_id] = (mark,)
            generated.append(logical_id)
        elif logical_id not in original_resources or logical_id in sam_types:
            generated.append(logical_id)
    for api, owned_by in _implicit_api_owners(sam_template).items():
        if api in resources and api not in original_resources:
            owners[api] = owned_by
    _nearest_owners(resources, generated, owners)
    order = {name: index for index, name in enumerate(original_resources)}
    for logical_id in generated:
        resource = resources[logical_id]
        found = owners.get(logical_id)
        if not found:
            continue  # nothing of the user's refers to it: reported as itself
        ranked = tuple(sorted(found, key=lambda name: order.get(name, len(order))))
        role = None
        if logical_id in IMPLICIT_APIS and logical_id not in original_resources:
            event, _, kind = IMPLICIT_APIS[logical_id]
            role = f"the {kind} SAM creates for the {event} events of {_names(ranked)}"
        metadata = dict(_mapping(_mapping(_mapping(sam_template.get("Resources")).get(ranked[0])).get("Metadata")))
        metadata.pop(ORIGIN_METADATA, None)
        metadata[ORIGIN_METADATA] = SamOrigin(ranked, sam_types.get(ranked[0], "resource"), role)
        resource["Metadata"] = metadata
    return translated


def _implicit_api_owners(sam_template: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    """Implicit API -> the SAM resources with an event on it, in template order: the events that name no API
    (the translator writes the implicit API's id into them, in ``sam_template``, the copy it was given)."""
    found: dict[str, list[str]] = {}
    for logical_id, resource in _mapping(sam_template.get("Resources")).items():
        if not isinstance(resource, Mapping):
            continue
        events = _mapping(_mapping(resource.get("Properties")).get("Events"))
        for event in events.values():
            if not isinstance(event, Mapping):
                continue
            for api, (event_type, id_property, _) in IMPLICIT_APIS.items():
                target = _mapping(event.get("Properties")).get(id_property)
                if event.get("Type") == event_type and (target is None or target == {"Ref": api}):
                    found.setdefault(api, [])
                    if logical_id not in found[api]:
                        found[api].append(logical_id)
    return {api: tuple(names) for api, names in found.items()}


def _nearest_owners(resources: Mapping[str, Any], generated: Sequence[str], owners: dict[str, tuple[str, ...]]) -> None:
    """Give each generated resource without owners those of the nearest owned resources it refers to or that
    refer to it (breadth first over references, DependsOn included)."""
    neighbours: dict[str, set[str]] = {name: set() for name in resources}
    for name, resource in resources.items():
        for other in _references(resource, resources):
            if other != name:
                neighbours[name].add(other)
                neighbours[other].add(name)
    pending = set(generated) - set(owners)
    frontier = deque(name for name in generated if name in owners)
    while frontier and pending:
        name = frontier.popleft()
        for other in sorted(neighbours.get(name, ())):
            if other in pending:
                owners[other] = owners[name]
                pending.discard(other)
                frontier.append(other)


def _references(value: Any, resources: Mapping[str, Any]) -> Iterator[str]:
    """The logical ids of ``resources`` that ``value`` names in a Ref, Fn::GetAtt, Fn::Sub or DependsOn."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, Mapping):
            for key, inner in item.items():
                if key == "Ref" and isinstance(inner, str) and inner in resources:
                    yield inner
                elif key == "Fn::GetAtt":
                    target = inner.split(".", 1)[0] if isinstance(inner, str) else (inner or [None])[0]
                    if isinstance(target, str) and target in resources:
                        yield target
                elif key == "Fn::Sub":
                    text = inner[0] if isinstance(inner, list) and inner else inner
                    if isinstance(text, str):
                        yield from _sub_names(text, resources)
                elif key == "DependsOn":
                    for name in inner if isinstance(inner, list) else [inner]:
                        if isinstance(name, str) and name in resources:
                            yield name
                if not isinstance(inner, str):
                    stack.append(inner)
        elif isinstance(item, list):
            stack.extend(item)


def _sub_names(text: str, resources: Mapping[str, Any]) -> Iterator[str]:
    start = text.find("${")
    while start != -1:
        end = text.find("}", start + 2)
        if end == -1:
            return
        name = text[start + 2 : end].split(".", 1)[0]
        if name in resources:
            yield name
        start = text.find("${", end + 1)


def _origin(template: Mapping[str, Any], logical_id: str | None) -> SamOrigin | None:
    if logical_id is None:
        return None
    resource = _mapping(template.get("Resources")).get(logical_id)
    metadata = resource.get("Metadata") if isinstance(resource, Mapping) else None
    origin = metadata.get(ORIGIN_METADATA) if isinstance(metadata, Mapping) else None
    return origin if isinstance(origin, SamOrigin) else None


def _names(names: Sequence[str]) -> str:
    if len(names) == 1:
        return names[0]
    return f"{', '.join(names[:-1])} and {names[-1]}"
