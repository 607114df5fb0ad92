"""EcrStack: the four container registries of the design."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput
from aws_cdk import aws_ecr as ecr
from constructs import Construct

from stacks.base import FamilyBudgetStack
from stacks.config import PROJECT, EnvironmentConfig
from stacks.iam_policies import acknowledge_checkov
from stacks.refs import RepositoryRefs

REPOSITORY_NAMES = ("backend", "frontend", "worker", "migrations")


class EcrStack(FamilyBudgetStack):
    """One repository per design row; backend, worker and migrations hold the same image."""

    def __init__(
        self, scope: Construct, construct_id: str, *, config: EnvironmentConfig, **kwargs: Any
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.repositories: dict[str, ecr.Repository] = {}
        for name in REPOSITORY_NAMES:
            repository = ecr.Repository(
                self,
                f"{name.capitalize()}Repository",
                repository_name=f"{config.name}/{PROJECT}/{name}",
                image_scan_on_push=True,
                image_tag_mutability=(
                    ecr.TagMutability.IMMUTABLE
                    if config.ecr_immutable_tags
                    else ecr.TagMutability.MUTABLE
                ),
                encryption=ecr.RepositoryEncryption.AES_256,
                lifecycle_rules=[
                    ecr.LifecycleRule(description="Keep the last 10 images", max_image_count=10)
                ],
                removal_policy=(config.removal_policy),
            )
            acknowledge_checkov(
                repository,
                "CKV_AWS_136",
                "Images are built from this repository's source and carry no secrets or "
                "user data; AES-256 encrypts them at rest, and moving to KMS would replace "
                "the repository (its encryption is fixed at creation) and its images.",
            )
            if not config.ecr_immutable_tags:
                acknowledge_checkov(
                    repository,
                    "CKV_AWS_51",
                    "The design makes tags immutable in production only; development and "
                    "staging re-push the documented 'dev' tag.",
                )
            self.repositories[name] = repository
            CfnOutput(
                self,
                f"{name.capitalize()}RepositoryUri",
                value=repository.repository_uri,
                export_name=f"{config.name}-{name.capitalize()}RepositoryUri",
            )

    @property
    def refs(self) -> RepositoryRefs:
        return RepositoryRefs(
            backend=self.repositories["backend"], frontend=self.repositories["frontend"]
        )
