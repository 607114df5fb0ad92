"""S3 is played by moto in server mode (the notification tests' fixtures), reached with boto3."""

from __future__ import annotations

from tests.notifications.conftest import aws_environment, moto_endpoint, moto_server

__all__ = ["aws_environment", "moto_endpoint", "moto_server"]
