"""The embedded system of the worker's process tests, for the bills' "done means" test."""

from tests.worker.test_process import (  # noqa: F401 (fixtures)
    embedded,
    migrated_database,
)
