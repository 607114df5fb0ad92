"""structlog, imported without rich: `import structlog` imports its console renderer, which imports
rich (and pygments through it) whenever rich is installed, and typer installs it. That is ~40 ms
and ~100 modules in every API process, for a renderer nobody uses: the logs are JSON
(observability.logging). Import structlog from here.

While structlog is first imported, `rich` is marked as absent, so structlog takes the branch it
takes on a machine without rich (its console renderer then prints plain tracebacks). Once
structlog is imported, rich imports normally again for whoever needs it (typer's help).
"""

from __future__ import annotations

import sys

if "structlog" not in sys.modules and "rich" not in sys.modules:
    sys.modules["rich"] = None  # type: ignore[assignment]
    try:
        import structlog
    finally:
        del sys.modules["rich"]
else:
    import structlog

__all__ = ["structlog"]
