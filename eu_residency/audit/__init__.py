"""``eu-residency audit``: a read-only audit of a live AWS account with boto3, the one part that uses it.

It lists the data stores of every enabled region (not only the allowed ones: the point is to find what
lives elsewhere), reports with the template rules' ids what breaks the residency, encryption and retention
rules, and says exactly which regions and services it examined and which it could not, and why. The report
model (``eu_residency.audit.audit_report``) imports no boto3, so the review pack reads audit files without it;
``eu_residency.audit.runner`` is where boto3 comes in.
"""
