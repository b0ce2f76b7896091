"""OpenSearch Service: domains, encryption at rest and in transit (EU-RES-001, EU-ENC-011, EU-ENC-047)."""

from __future__ import annotations

from eu_residency.audit.scope import Scope

SERVICE = "opensearch"
DOMAIN = "AWS::OpenSearchService::Domain"
# DescribeDomains accepts at most this many names per call.
BATCH = 5
TLS_1_2_POLICIES = ("Policy-Min-TLS-1-2",)


def collect(scope: Scope) -> None:
    client = scope.client()
    names = [str(domain["DomainName"]) for domain in client.list_domain_names().get("DomainNames", [])]
    for start in range(0, len(names), BATCH):
        batch = names[start : start + BATCH]
        response = client.describe_domains(DomainNames=batch)
        for domain in response.get("DomainStatusList", []):
            _domain(scope, domain)


def _domain(scope: Scope, domain: dict[str, object]) -> None:
    name = str(domain["DomainName"])
    arn = str(domain.get("ARN", name))
    at_rest = domain.get("EncryptionAtRestOptions")
    at_rest = at_rest if isinstance(at_rest, dict) else {}
    encrypted = bool(at_rest.get("Enabled"))
    key = at_rest.get("KmsKeyId")
    scope.store(DOMAIN, name, arn, ("encrypted" + (f", key {key}" if key else "")) if encrypted else "none")
    if not encrypted:
        scope.finding("EU-ENC-011", arn, DOMAIN, "the domain does not encrypt its indexes at rest")
    endpoint = domain.get("DomainEndpointOptions")
    endpoint = endpoint if isinstance(endpoint, dict) else {}
    node_to_node = domain.get("NodeToNodeEncryptionOptions")
    node_to_node = node_to_node if isinstance(node_to_node, dict) else {}
    problems = []
    if not endpoint.get("EnforceHTTPS"):
        problems.append("accepts plain HTTP (EnforceHTTPS false)")
    policy = str(endpoint.get("TLSSecurityPolicy", ""))
    if not policy.startswith(TLS_1_2_POLICIES):
        problems.append(f"allows TLS older than 1.2 ({policy or 'no TLSSecurityPolicy'})")
    if not node_to_node.get("Enabled"):
        problems.append("sends data between nodes unencrypted")
    if problems:
        scope.finding("EU-ENC-047", arn, DOMAIN, "the domain " + "; ".join(problems))
