"""The base of every stack: explicit availability zones, so synthesis needs no AWS lookup."""

from __future__ import annotations

from aws_cdk import Stack

from stacks.config import availability_zones


class FamilyBudgetStack(Stack):
    """A stack whose availability zones are fixed per region (see config.availability_zones).

    Without this, constructs that ask the stack for its zones would record a context lookup
    (and synthesize with dummy zones) whenever no AWS credentials are available.
    """

    @property
    def availability_zones(self) -> list[str]:
        return availability_zones(self.region)
