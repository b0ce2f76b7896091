"""One module per service. Each has ``SERVICE`` (the boto3 name) and ``collect(scope)``; global ones set
``GLOBAL_SERVICE``. Regional collectors run in this order in every region: KMS first, so that the others
find the region's keys in the key directory.
"""

from __future__ import annotations

from types import ModuleType

from eu_residency.audit.collectors import (
    backup,
    cloudfront,
    dynamodb,
    ecr,
    efs,
    elasticache,
    globalaccelerator,
    kafka,
    kinesis,
    kms,
    logs,
    opensearch,
    rds,
    redshift,
    s3,
    secretsmanager,
    sns,
    sqs,
    tagging,
)

REGIONAL: tuple[ModuleType, ...] = (
    kms,
    rds,
    dynamodb,
    elasticache,
    efs,
    secretsmanager,
    logs,
    sqs,
    sns,
    kinesis,
    ecr,
    backup,
    opensearch,
    redshift,
    kafka,
    tagging,
)
# After every region: S3 buckets are checked in their own region, with that region's keys known.
GLOBAL: tuple[ModuleType, ...] = (s3, cloudfront, globalaccelerator)
