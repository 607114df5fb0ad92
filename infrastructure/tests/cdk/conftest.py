"""Session-scoped fixtures: each environment variant is synthesized at most once per run.

Synthesis goes through jsii and takes 10-30 s per environment on two cores.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from cdk_synth import VARIANTS, Synthesized, synthesize

_CACHE: dict[str, Synthesized] = {}


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Report how long each synthesis took (jsii makes it the bulk of the run)."""
    if _CACHE:
        terminalreporter.section("CDK synthesis time")
        for name, result in _CACHE.items():
            terminalreporter.write_line(f"{name:22} {result.seconds:6.1f} s")


@pytest.fixture(scope="session")
def synthesized(
    tmp_path_factory: pytest.TempPathFactory,
) -> Callable[[str], Synthesized]:
    cache = _CACHE

    def get(variant: str) -> Synthesized:
        if variant not in cache:
            environment, domain = VARIANTS[variant]
            cache[variant] = synthesize(
                environment, domain, tmp_path_factory.mktemp(f"cdk-{variant}")
            )
        return cache[variant]

    return get


@pytest.fixture(scope="session", params=["development", "staging", "production"])
def env(request: pytest.FixtureRequest, synthesized: Callable[[str], Synthesized]) -> Synthesized:
    """One environment as the example context configures it (staging/production with domain)."""
    return synthesized(request.param)


@pytest.fixture(scope="session", params=list(VARIANTS))
def variant(
    request: pytest.FixtureRequest, synthesized: Callable[[str], Synthesized]
) -> Synthesized:
    """Every environment with and without a domain."""
    return synthesized(request.param)
