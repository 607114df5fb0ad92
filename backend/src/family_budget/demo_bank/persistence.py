"""The demo bank's state in a JSON file, so restarting `make run` keeps the linked items.

Saved after every change (written to a temporary file, then renamed over the old one, so a crash
never leaves half a file); owner-only permissions, as it holds the demo items' access tokens.
Link and public tokens are not kept: they live minutes, and Link simply starts again.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from family_budget.demo_bank.bank import DemoBank, Item
from family_budget.demo_bank.signing import WebhookSigner

FORMAT = 1


class StateFile:
    def __init__(self, path: Path) -> None:
        self.path = path

    def save(self, bank: DemoBank) -> None:
        state = {
            "format": FORMAT,
            "seed": bank.seed,
            "items_created": bank.items_created,
            "clock_offset_seconds": bank.clock.offset.total_seconds(),
            "signer": bank.signer.to_state(),
            "items": [_item_state(item) for item in bank.items.values()],
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            json.dump(state, file, separators=(",", ":"))
        os.replace(temporary, self.path)

    def load_into(self, bank: DemoBank) -> bool:
        """Restore a saved state into a fresh bank; False when there is none (or an old format)."""
        if not self.path.exists():
            return False
        state = json.loads(self.path.read_text(encoding="utf-8"))
        if state.get("format") != FORMAT:
            return False
        bank.seed = state["seed"]
        bank.items_created = int(state["items_created"])
        bank.clock.offset = timedelta(seconds=float(state["clock_offset_seconds"]))
        bank.signer = WebhookSigner.from_state(state["signer"])
        for raw in state["items"]:
            item = _item_from_state(raw)
            bank.items[item.item_id] = item
            bank.items_by_token[item.access_token] = item.item_id
        return True


_TIMES = ("created_at", "history_start", "generated_until", "last_sync_at")


def _item_state(item: Item) -> dict[str, Any]:
    state = dict(item.__dict__)
    for name in _TIMES:
        value = state[name]
        state[name] = value.isoformat() if value is not None else None
    state["log"] = [[kind, payload] for kind, payload in item.log]
    return state


def _item_from_state(state: dict[str, Any]) -> Item:
    values = dict(state)
    for name in _TIMES:
        value = values.get(name)
        values[name] = datetime.fromisoformat(value) if value else None
    values["log"] = [(kind, payload) for kind, payload in values["log"]]
    return Item(**values)
