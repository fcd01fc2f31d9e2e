"""The gateway's periodic passes: each runs every period, and one failing does not stop the others."""

from __future__ import annotations

import asyncio

from gateway.periodic import PeriodicPasses


async def test_a_failing_pass_is_logged_and_the_others_and_later_periods_still_run(caplog):
    ran: list[str] = []

    async def broken() -> int:
        ran.append("broken")
        raise ConnectionError("redis away")

    async def fine() -> int:
        ran.append("fine")
        return 1

    passes = PeriodicPasses([("broken", broken), ("fine", fine)], every_s=0.01)
    passes.start()
    for _ in range(200):
        if ran.count("fine") >= 2:
            break
        await asyncio.sleep(0.01)
    await passes.stop()
    assert ran[:4] == ["broken", "fine", "broken", "fine"]
    assert "broken pass failed: redis away" in caplog.text
    stopped = len(ran)
    await asyncio.sleep(0.05)
    assert len(ran) == stopped  # stopped: nothing runs any more
