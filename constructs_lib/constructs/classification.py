"""Data-classification and residency tags that every data-bearing construct puts on what it builds."""

from __future__ import annotations

from enum import Enum

from aws_cdk import Tags
from constructs import IConstruct

from eu_residency.core.vocabulary import CLASSIFICATION_TAG, RESIDENCY_TAG

RESIDENCY_EU = "eu"


class DataClassification(Enum):
    PERSONAL = "personal"
    INTERNAL = "internal"
    PUBLIC = "public"


def classify(scope: IConstruct, classification: DataClassification) -> None:
    """Tag everything taggable under ``scope`` with its classification and EU residency."""
    Tags.of(scope).add(CLASSIFICATION_TAG, classification.value)
    Tags.of(scope).add(RESIDENCY_TAG, RESIDENCY_EU)
