"""Secure-by-default building blocks: their props cannot switch encryption, TLS or retention off."""

from constructs_lib.constructs.buckets import AccessLogBucket, DataBucket
from constructs_lib.constructs.cache import SessionCache
from constructs_lib.constructs.classification import DataClassification, classify
from constructs_lib.constructs.container_service import PrivateContainerService
from constructs_lib.constructs.database import PostgresDatabase
from constructs_lib.constructs.keys import DataKey
from constructs_lib.constructs.load_balancer import TlsLoadBalancer
from constructs_lib.constructs.log_group import EncryptedLogGroup
from constructs_lib.constructs.network import PrivateNetwork
from constructs_lib.constructs.web_acl import RegionalWebAcl

__all__ = [
    "AccessLogBucket",
    "DataBucket",
    "DataClassification",
    "DataKey",
    "EncryptedLogGroup",
    "PostgresDatabase",
    "PrivateContainerService",
    "PrivateNetwork",
    "RegionalWebAcl",
    "SessionCache",
    "TlsLoadBalancer",
    "classify",
]
