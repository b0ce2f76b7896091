"""The one reader of a cloud assembly (cdk.out): its manifest, templates, nested assemblies and validation report."""
