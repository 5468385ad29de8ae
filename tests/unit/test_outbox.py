"""The outbox keeps send order, also when the emulator's clock is pinned (every message then
has the same time) and across a second clock (the old key mixed in a monotonic reading that
wrapped every second, so 'the last code' could be an earlier one)."""
import time

from emulator.domain import outbox
from tests.support.context import unit_context


def test_messages_at_one_pinned_instant_come_back_in_send_order(monkeypatch):
    ctx = unit_context()
    readings = iter([999_999_999, 5])  # a monotonic clock that wraps between two sends
    monkeypatch.setattr(time, "monotonic_ns", lambda: next(readings, 7))
    for n in range(3):
        outbox.send(ctx, pool_id="p", username="u", purpose="MFA", medium="SMS",
                    destination="+15550100", message=f"code {n}", code=str(n))
    assert [m["code"] for m in outbox.messages(ctx.store, pool_id="p")] == ["0", "1", "2"]
