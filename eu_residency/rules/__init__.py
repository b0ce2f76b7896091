"""The rule core: pure Python over CloudFormation templates; imports nothing from aws_cdk or jsii."""

from constructs_lib.rules.engine import TemplateInput, check_templates, check_view
from constructs_lib.rules.model import Finding, Resource, Rule, Severity, Violation
from constructs_lib.rules.settings import RuleSettings
from constructs_lib.rules.template import TemplateView

__all__ = [
    "Finding",
    "Resource",
    "Rule",
    "RuleSettings",
    "Severity",
    "TemplateInput",
    "TemplateView",
    "Violation",
    "check_templates",
    "check_view",
]
