"""A graceful stop never waits for ever: each step is bounded, and one cut off is named in the log."""

from __future__ import annotations

import asyncio
import logging

from gateway.server import _bounded


async def test_a_stop_step_that_never_ends_is_cut_off_and_named_and_the_others_run(caplog):
    started, cancelled = asyncio.Event(), asyncio.Event()

    async def forever() -> None:
        started.set()
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    done = []

    async def quick() -> None:
        done.append(True)

    with caplog.at_level(logging.WARNING, logger="gateway.server"):
        await _bounded("the stuck step", forever(), 0.05)
        await _bounded("the next step", quick(), 1.0)
    assert started.is_set() and cancelled.is_set() and done == [True]
    assert "the stuck step did not finish" in caplog.text and "the next step" not in caplog.text
