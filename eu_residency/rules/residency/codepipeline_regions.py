"""EU-RES-023: CodePipeline runs actions and keeps artifacts only in allowed regions."""

from __future__ import annotations

from collections.abc import Iterator

from eu_residency.core.rule_model import Rule, Severity, Violation
from eu_residency.core.template_view import Resource, TemplateView
from eu_residency.rules.residency._replication import STAR, region_leaf, settled, walk


def check(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    yield from settled(_violations(resource, view))


def _violations(resource: Resource, view: TemplateView) -> Iterator[Violation]:
    # An action without Region runs in the pipeline's own region; an artifact store map names its region.
    for path, region in walk(view, resource.properties, ("Stages", STAR, "Actions", STAR, "Region")):
        yield from region_leaf(view, path, region, "the action's region", required=False)
    for path, region in walk(view, resource.properties, ("ArtifactStores", STAR, "Region")):
        yield from region_leaf(view, path, region, "the artifact store's region")


RULE = Rule(
    id="EU-RES-023",
    title="CodePipeline runs actions and keeps artifacts only in allowed regions",
    explanation=(
        "A cross-region action copies the stage's input artifacts (source code, build output, templates "
        "and whatever data they carry) to an artifact bucket in the action's region and runs there, so it "
        "deploys or processes outside the pipeline's region; an action or artifact store outside the "
        "allowed regions transfers them out of the EU. A region proven to be outside the allowed regions "
        "is fatal; one that cannot be shown (a parameter, an import) is an error."
    ),
    fix="Set Stages[].Actions[].Region and ArtifactStores[].Region only to allowed regions, or leave an "
    "action's Region out to run it in the pipeline's region (L2: the action's region=... prop, and "
    "Pipeline(cross_region_replication_buckets={...}) with EU regions only).",
    severity=Severity.FATAL,
    unprovable_severity=Severity.ERROR,
    resource_types=frozenset({"AWS::CodePipeline::Pipeline"}),
    check_resource=check,
)
