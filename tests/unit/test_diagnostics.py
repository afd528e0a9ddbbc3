"""SIGUSR1 logs what each task of a running service is waiting on."""

import asyncio
import os
import signal

from structlog.testing import capture_logs

from ohts_kit.diagnostics import install_dump_on_signal


class _Pool:
    _queue = asyncio.Queue[int]()

    def get_size(self) -> int:
        return 3

    def get_idle_size(self) -> int:
        return 1

    def get_max_size(self) -> int:
        return 10


async def test_the_dump_names_the_await_a_parked_task_is_stuck_on() -> None:
    never = asyncio.Event()

    async def parked_on_purpose() -> None:
        await never.wait()

    task = asyncio.create_task(parked_on_purpose(), name="stuck-job")
    install_dump_on_signal("qc", lambda: _Pool())
    try:
        with capture_logs() as logs:
            os.kill(os.getpid(), signal.SIGUSR1)
            for _ in range(50):
                await asyncio.sleep(0.01)
                if logs:
                    break
        (dump,) = [r for r in logs if r["event"] == "diagnostics.dump"]
        assert dump["pool"] == {"size": 3, "idle": 1, "max": 10, "queued_holders": 0}
        stuck = {t["task"]: t["stack"] for t in dump["tasks"]}["stuck-job"]
        assert any("parked_on_purpose" in line for line in stuck)
    finally:
        asyncio.get_running_loop().remove_signal_handler(signal.SIGUSR1)
        task.cancel()
