"""StackSets whose template is inline, for the command: each of their stack instances (one per region, see
``template_loader.stack_set_instances``, which the synth-time plugin reads too) is checked as a template of
its own, with the StackSet's template as its parent, and its resources at the StackSet's line in the file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from eu_residency.check_run.local_nested import Loaded
from eu_residency.check_run.results import TemplateResult
from eu_residency.template_loader.stack_set_instances import stack_set_instances


def with_stack_set_templates(loaded: Sequence[Loaded], results: list[TemplateResult]) -> list[Loaded]:
    """``loaded`` and, after it, the stack instances of the inline templates of its StackSets: one per
    region, each checked as a template of its own in that region. A TemplateBody that is not a template is
    a result with an error that names the StackSet."""
    found: list[Loaded] = []
    for candidate, template, lines in loaded:
        instances, unreadable = stack_set_instances(candidate.name, template, candidate.region)
        results += [
            TemplateResult(path=str(candidate.path), region=candidate.region, error=body.error) for body in unreadable
        ]
        for instance in instances:
            # The instance's resources are inside the StackSet's: findings point at its line in the file.
            line = lines.get(instance.nested_as, 1)
            checked_as = replace(
                candidate,
                region=instance.region,
                optional=False,
                parent=instance.parent,
                nested_as=instance.nested_as,
                stack_name=None,
                instance=instance.name,
            )
            found.append(
                (
                    checked_as,
                    instance.template,
                    {str(logical_id): line for logical_id in instance.template["Resources"]},
                )
            )
    return [*loaded, *found]


__all__ = ["with_stack_set_templates"]
