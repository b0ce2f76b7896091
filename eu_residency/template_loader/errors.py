"""The one error of the template loader."""

from __future__ import annotations


class TemplateError(ValueError):
    """A file that is not a CloudFormation template; the message is one line for the person."""


class NotATemplateError(TemplateError):
    """A document that is plainly something else (a list, several YAML documents, a mapping with no template
    section): a folder scan skips it and counts it."""
