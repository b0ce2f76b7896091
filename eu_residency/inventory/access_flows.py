"""The application's reads and writes: what the role of each Lambda function and ECS task definition may do to
the app's data stores (IAM policies, inline, attached or managed, granting data actions), and the stores its
environment names.

One pass over the app's resources builds the index of roles, policies and compute; each statement is then read
once for each compute resource whose role it grants, so the whole stays linear in the size of the templates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

from eu_residency.core.template_view import Resource, Unknown
from eu_residency.core.values import MISSING
from eu_residency.inventory.flow_graph import FlowGraph
from eu_residency.inventory.records import DATA_BEARING_TYPES, UNKNOWN_REGION, Endpoint, FlowKind
from eu_residency.inventory.resolver import STAR, AppResolver, AppStack

READS, WRITES = FlowKind.READ, FlowKind.WRITE

# The data actions of each service, each a read or a write (a granted action may be a pattern: "s3:Get*", "*").
DATA_ACTIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "s3": (
        ("GetObject", READS),
        ("GetObjectVersion", READS),
        ("ListBucket", READS),
        ("PutObject", WRITES),
        ("DeleteObject", WRITES),
        ("DeleteObjectVersion", WRITES),
        ("AbortMultipartUpload", WRITES),
    ),
    "dynamodb": (
        ("GetItem", READS),
        ("BatchGetItem", READS),
        ("Query", READS),
        ("Scan", READS),
        ("PartiQLSelect", READS),
        ("PutItem", WRITES),
        ("UpdateItem", WRITES),
        ("DeleteItem", WRITES),
        ("BatchWriteItem", WRITES),
        ("PartiQLInsert", WRITES),
        ("PartiQLUpdate", WRITES),
        ("PartiQLDelete", WRITES),
    ),
    "secretsmanager": (("GetSecretValue", READS), ("PutSecretValue", WRITES), ("UpdateSecret", WRITES)),
    "sqs": (("ReceiveMessage", READS), ("SendMessage", WRITES)),
    "sns": (("Publish", WRITES),),
    "kms": (("Decrypt", READS), ("Encrypt", WRITES), ("GenerateDataKey", WRITES), ("ReEncryptTo", WRITES)),
    "kinesis": (("GetRecords", READS), ("PutRecord", WRITES), ("PutRecords", WRITES)),
    "firehose": (("PutRecord", WRITES), ("PutRecordBatch", WRITES)),
    "logs": (("GetLogEvents", READS), ("FilterLogEvents", READS), ("PutLogEvents", WRITES)),
    "elasticfilesystem": (("ClientMount", READS), ("ClientWrite", WRITES)),
    "rds-db": (("connect", READS), ("connect", WRITES)),
    "elasticache": (("Connect", READS), ("Connect", WRITES)),
    "es": (("ESHttpGet", READS), ("ESHttpPost", WRITES), ("ESHttpPut", WRITES), ("ESHttpDelete", WRITES)),
    "ecr": (("BatchGetImage", READS), ("PutImage", WRITES)),
}
_STORE_WORDS = {
    "s3": "S3 bucket",
    "dynamodb": "DynamoDB table",
    "secretsmanager": "secret",
    "sqs": "queue",
    "sns": "topic",
    "kms": "KMS key",
    "kinesis": "Kinesis stream",
    "firehose": "Firehose stream",
    "logs": "log group",
    "elasticfilesystem": "file system",
    "rds-db": "database",
    "elasticache": "cache",
    "es": "OpenSearch domain",
    "ecr": "repository",
}
# The role property of each compute type.
COMPUTE_ROLES = {"AWS::Lambda::Function": "Role", "AWS::ECS::TaskDefinition": "TaskRoleArn"}
_POLICY_TYPES = ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy")

RoleKey = tuple[str, str]  # (template, logical id)


def granted(action: str) -> list[tuple[str, str, str]]:
    """(service, action, read or write) for every data action a granted action (maybe a pattern) allows."""
    pattern = action.lower()
    return [
        (service, name, access)
        for service, actions in DATA_ACTIONS.items()
        for name, access in actions
        if fnmatchcase(f"{service}:{name}".lower(), pattern)
    ]


@dataclass
class _Index:
    """Roles and the policy documents that grant them, and the compute resources that take each role."""

    documents: dict[RoleKey, list[tuple[AppStack, Any, str]]] = field(default_factory=dict)
    managed: dict[RoleKey, list[RoleKey]] = field(default_factory=dict)
    managed_documents: dict[RoleKey, tuple[AppStack, Any, str]] = field(default_factory=dict)
    compute: list[tuple[AppStack, Resource, list[RoleKey]]] = field(default_factory=list)


def _index(app: AppResolver) -> _Index:
    index = _Index()
    for stack in app.stacks:
        for resource in stack.view.resources():
            key = (stack.name, resource.logical_id)
            if resource.type == "AWS::IAM::Role":
                for where, policy in app.values(stack, resource.properties, ("Policies", STAR)):
                    if isinstance(policy, Mapping):
                        name = next(iter(t for t in app.texts(where, policy.get("PolicyName", MISSING))), "inline")
                        entry = (where, policy.get("PolicyDocument", MISSING), f"inline policy {name} of the role")
                        index.documents.setdefault(key, []).append(entry)
                for where, raw in app.lookup(stack, resource.properties, ("ManagedPolicyArns", STAR)):
                    for here, policy_id in app.references(where, raw):
                        index.managed.setdefault(key, []).append((here.name, policy_id))
            elif resource.type in _POLICY_TYPES:
                kind = "managed policy" if resource.type == "AWS::IAM::ManagedPolicy" else "policy"
                entry = (stack, resource.properties.get("PolicyDocument", MISSING), f"{kind} {resource.logical_id}")
                if resource.type == "AWS::IAM::ManagedPolicy":
                    index.managed_documents[key] = entry
                for where, raw in app.lookup(stack, resource.properties, ("Roles", STAR)):
                    for here, role_id in app.references(where, raw):
                        index.documents.setdefault((here.name, role_id), []).append(entry)
            elif resource.type in COMPUTE_ROLES:
                raw = resource.properties.get(COMPUTE_ROLES[resource.type], MISSING)
                roles = [(where.name, role_id) for where, role_id in app.references(stack, raw)]
                index.compute.append((stack, resource, roles))
    return index


def record_access_flows(app: AppResolver, graph: FlowGraph) -> None:
    """Flows ``reads``/``writes`` from each Lambda function and ECS task definition to the stores its role may read
    or write, and ``uses`` to a store its environment names with no grant on it in the templates.
    """
    index = _index(app)
    for stack, resource, roles in index.compute:
        source = graph.node(stack, resource.logical_id)
        reached: set[tuple[str, str, str]] = set()
        for role in roles:
            documents = list(index.documents.get(role, []))
            documents += [index.managed_documents[key] for key in index.managed.get(role, [])]
            for where, document, what in documents:
                for endpoint, access, detail in _grants(app, graph, where, document):
                    reached.add(endpoint.key)
                    graph.add(access, source, endpoint, f"{what}: {detail}")
        for endpoint, access, detail in _environment(app, graph, stack, resource):
            if access != FlowKind.USES or endpoint.key not in reached:
                graph.add(access, source, endpoint, detail)


def _grants(app: AppResolver, graph: FlowGraph, stack: AppStack, document: Any) -> list[tuple[Endpoint, str, str]]:
    """(store, reads or writes, the actions) for each Allow statement of a policy document on a data store."""
    found: list[tuple[Endpoint, str, str]] = []
    for where, statement in app.values(stack, document, ("Statement", STAR)):
        if not isinstance(statement, Mapping) or app.texts(where, statement.get("Effect", MISSING)) != ["Allow"]:
            continue
        actions = [
            text
            for here, item in _items(app, where, statement.get("Action", MISSING))
            for text in app.texts(here, item)
            if isinstance(text, str)
        ]
        by_access: dict[tuple[str, str], list[str]] = {}
        for action in dict.fromkeys(actions):
            for service, _name, access in granted(action):
                names = by_access.setdefault((service, access), [])
                if action not in names:
                    names.append(action)
        if not by_access:
            continue
        resources = _items(app, where, statement.get("Resource", MISSING))
        for (service, access), names in by_access.items():
            for here, raw in resources:
                for endpoint in _stores(app, graph, here, raw, service):
                    found.append((endpoint, access, ", ".join(names)))
    return found


def _items(app: AppResolver, stack: AppStack, raw: Any) -> list[tuple[AppStack, Any]]:
    """The raw items of a value that is one item or a list of them (Action, Resource), each with its stack."""
    if isinstance(raw, list):
        return [(stack, item) for item in raw]
    found: list[tuple[AppStack, Any]] = []
    for where, value in app.located(stack, raw) if isinstance(raw, Mapping) and "Ref" in raw else [(stack, raw)]:
        if isinstance(value, list):
            found += [(where, item) for item in value]
        elif value is not MISSING:
            found.append((where, value))
    return found


def _stores(app: AppResolver, graph: FlowGraph, stack: AppStack, raw: Any, service: str) -> list[Endpoint]:
    """The data stores a statement's Resource names for ``service``: resources of the app, or ARNs outside it."""
    if raw is MISSING:
        return []
    references = app.references(stack, raw)
    if references:
        return [
            graph.node(where, logical_id) for where, logical_id in references if _is_store(where, logical_id, service)
        ]
    word = _STORE_WORDS.get(service, service)
    endpoints = []
    for text in app.texts(stack, raw):
        if isinstance(text, Unknown):
            endpoints.append(Endpoint(label=f"a {word} ({text.reason})", region=UNKNOWN_REGION))
        elif text == "*" or (text.endswith(":*") and text.count(":") <= 2):
            endpoints.append(Endpoint(label=f'any {word} of the account (Resource "*")', region=UNKNOWN_REGION))
        elif text.startswith("arn:") and text.split(":")[2:3] == [service]:
            types = ("AWS::S3::Bucket",) if service == "s3" else ()
            endpoints.append(graph.destination(stack, text, word, types))
    return endpoints


def _is_store(stack: AppStack, logical_id: str, service: str) -> bool:
    resource = stack.view.resource(logical_id)
    if resource is None or resource.type not in DATA_BEARING_TYPES:
        return False
    return service in _SERVICE_TYPES.get(resource.type, (service,))


# Which services' actions act on a store of each type: a key named in an s3 statement is not a bucket read.
_SERVICE_TYPES = {
    "AWS::S3::Bucket": ("s3",),
    "AWS::KMS::Key": ("kms",),
    "AWS::DynamoDB::Table": ("dynamodb",),
    "AWS::DynamoDB::GlobalTable": ("dynamodb",),
    "AWS::SecretsManager::Secret": ("secretsmanager",),
    "AWS::SQS::Queue": ("sqs",),
    "AWS::SNS::Topic": ("sns",),
    "AWS::Logs::LogGroup": ("logs",),
    "AWS::RDS::DBInstance": ("rds-db",),
    "AWS::RDS::DBCluster": ("rds-db",),
}


# -- environment ----------------------------------------------------------------------------------------


def _environment(
    app: AppResolver, graph: FlowGraph, stack: AppStack, resource: Resource
) -> list[tuple[Endpoint, str, str]]:
    """Stores the compute's environment names (directly, or through an SSM parameter of the app whose value names
    one): ``uses``; a Secrets Manager secret an ECS task takes as a secret: ``reads``.
    """
    named: list[tuple[str, Any, bool]] = []  # (variable, raw value, given as an ECS secret)
    if resource.type == "AWS::Lambda::Function":
        for _, variables in app.values(stack, resource.properties, ("Environment", "Variables")):
            if isinstance(variables, Mapping):
                named += [(str(name), value, False) for name, value in variables.items()]
    else:
        for where, container in app.values(stack, resource.properties, ("ContainerDefinitions", STAR)):
            if not isinstance(container, Mapping):
                continue
            for list_name, key, secret in (("Environment", "Value", False), ("Secrets", "ValueFrom", True)):
                for here, item in app.values(where, container, (list_name, STAR)):
                    if isinstance(item, Mapping):
                        name = next((t for t in app.texts(here, item.get("Name", MISSING)) if isinstance(t, str)), "?")
                        named.append((name, item.get(key, MISSING), secret))
    found: list[tuple[Endpoint, str, str]] = []
    for name, value, secret in named:
        for where, logical_id in app.references(stack, value):
            target = where.view.resource(logical_id)
            if target is None:
                continue
            via = ""
            candidates = [(where, logical_id)]
            if target.type == "AWS::SSM::Parameter":
                via = f", through SSM parameter {graph.node(where, logical_id).label}"
                candidates = app.references(where, target.properties.get("Value", MISSING))
            for here, store_id in candidates:
                store = here.view.resource(store_id)
                if store is None or store.type not in DATA_BEARING_TYPES:
                    continue
                endpoint = graph.node(here, store_id)
                if secret and not via and store.type == "AWS::SecretsManager::Secret":
                    found.append((endpoint, READS, f"secret {name}: the task reads it when it starts"))
                else:
                    found.append((endpoint, FlowKind.USES, f"environment variable {name} names it{via}"))
    return found
