"""EFS: file systems and their encryption at rest (EU-RES-001, EU-ENC-009)."""

from __future__ import annotations

from eu_residency.audit.scope import Scope, pages, tag_value

SERVICE = "efs"
FILE_SYSTEM = "AWS::EFS::FileSystem"


def collect(scope: Scope) -> None:
    for page in pages(scope.client(), "describe_file_systems"):
        for system in page.get("FileSystems", []):
            identifier = str(system["FileSystemId"])
            name = str(system.get("Name") or identifier)
            arn = str(system.get("FileSystemArn", identifier))
            encrypted = bool(system.get("Encrypted"))
            key = system.get("KmsKeyId")
            encryption = ("encrypted" + (f", key {key}" if key else "")) if encrypted else "none"
            scope.store(FILE_SYSTEM, name, arn, encryption, classification=tag_value(system.get("Tags")))
            if not encrypted:
                scope.finding("EU-ENC-009", arn, FILE_SYSTEM, "the file system does not encrypt data at rest")
