"""The emulator's own request Context (emulator/api/context.py) for tests that call the
domain or auth code in-process: an in-memory emulator, its clock pinned."""
from emulator.api.context import Context
from emulator.config import Settings
from emulator.service import Emulator


def unit_context(pinned_at: float = 1_700_000_000, **fields) -> Context:
    """A Context on a fresh in-memory emulator whose clock is pinned at `pinned_at`; the
    emulator (ctx.emu) and its clock (ctx.emu.clock) are the real ones."""
    emu = Emulator(Settings(in_memory=True))
    emu.clock.pin(pinned_at)
    fields = {"operation": "Test", "request_id": "req", "region": "us-east-1",
              "account_id": "000000000000", **fields}
    return Context(emu=emu, **fields)
