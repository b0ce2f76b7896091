"""A regional WAFv2 web ACL with AWS managed protections and a per-IP rate limit, logged in-region."""

from __future__ import annotations

from aws_cdk import ArnFormat, Stack
from aws_cdk import aws_kms as kms
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from constructs_lib.constructs.classification import DataClassification
from constructs_lib.constructs.log_group import EncryptedLogGroup

MANAGED_RULE_GROUPS = ("AWSManagedRulesCommonRuleSet", "AWSManagedRulesAmazonIpReputationList")


class RegionalWebAcl(Construct):
    """A REGIONAL (never CLOUDFRONT) web ACL attached to ``resource_arn``.

    Rules: the AWS managed common and IP-reputation groups, then a rate-based rule that blocks a
    client IP sending more than ``requests_per_five_minutes`` (botnets and chat spam). Logs go to an
    encrypted log group in this region that expires.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        name: str,
        resource_arn: str,
        requests_per_five_minutes: int,
        log_key: kms.IKey,
        log_retention_days: int,
    ) -> None:
        super().__init__(scope, construct_id)
        managed_rules = [
            wafv2.CfnWebACL.RuleProperty(
                name=group,
                priority=priority,
                override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
                statement=wafv2.CfnWebACL.StatementProperty(
                    managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                        vendor_name="AWS", name=group
                    )
                ),
                visibility_config=_visibility(group),
            )
            for priority, group in enumerate(MANAGED_RULE_GROUPS)
        ]
        rate_limit = wafv2.CfnWebACL.RuleProperty(
            name="PerClientIpRateLimit",
            priority=len(managed_rules),
            action=wafv2.CfnWebACL.RuleActionProperty(block={}),
            statement=wafv2.CfnWebACL.StatementProperty(
                rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                    aggregate_key_type="IP", limit=requests_per_five_minutes, evaluation_window_sec=300
                )
            ),
            visibility_config=_visibility("PerClientIpRateLimit"),
        )
        self.web_acl = wafv2.CfnWebACL(
            self,
            "WebAcl",
            name=name,
            scope="REGIONAL",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            rules=[*managed_rules, rate_limit],
            visibility_config=_visibility(name),
        )
        wafv2.CfnWebACLAssociation(self, "Association", resource_arn=resource_arn, web_acl_arn=self.web_acl.attr_arn)

        # WAF only delivers to log groups whose name starts with aws-waf-logs-.
        log_group_name = f"aws-waf-logs-{name}"
        logs = EncryptedLogGroup(
            self,
            "Logs",
            log_group_name=log_group_name,
            encryption_key=log_key,
            retention_days=log_retention_days,
            classification=DataClassification.PERSONAL,  # client IPs and request headers
        )
        logging = wafv2.CfnLoggingConfiguration(
            self,
            "Logging",
            resource_arn=self.web_acl.attr_arn,
            log_destination_configs=[
                Stack.of(self).format_arn(
                    service="logs",
                    resource="log-group",
                    resource_name=log_group_name,
                    arn_format=ArnFormat.COLON_RESOURCE_NAME,
                )
            ],
            redacted_fields=[
                wafv2.CfnLoggingConfiguration.FieldToMatchProperty(single_header={"Name": "cookie"}),
                wafv2.CfnLoggingConfiguration.FieldToMatchProperty(single_header={"Name": "authorization"}),
            ],
        )
        logging.node.add_dependency(logs)


def _visibility(metric_name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True, metric_name=metric_name, sampled_requests_enabled=True
    )
