"""An unanswered exercise in a notebook: a prompt for a reader, a blank cell for a program.

A reader's front end (JupyterLab, Notebook 7, VS Code, Colab) sends each cell with
``allow_stdin=True``; nbclient (the book's execute command) and nbval send it with
``allow_stdin=False``. The prompt must show in the first case and nothing in the second, so
that the stored page keeps its exercise cells blank.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest
from jupyter_client.blocking.client import BlockingKernelClient
from jupyter_client.manager import KernelManager

CELL = "from cnnlib.exercises import chapter2 as check\ncheck.strided_shape(None)"


@pytest.fixture(scope="module")
def kernel() -> Iterator[BlockingKernelClient]:
    manager = KernelManager(kernel_name="python3")
    # The kernel runs in this environment's Python, whatever kernels the machine has.
    manager.kernel_spec.argv[0] = sys.executable
    manager.start_kernel()
    client = manager.client()
    client.start_channels()
    client.wait_for_ready(timeout=60)
    yield client
    client.stop_channels()
    manager.shutdown_kernel(now=True)


def run(client: BlockingKernelClient, code: str, allow_stdin: bool) -> list[dict]:
    """The outputs a cell sends to its front end."""
    msg_id = client.execute(code, allow_stdin=allow_stdin)
    outputs = []
    while True:
        message = client.get_iopub_msg(timeout=60)
        if message["parent_header"].get("msg_id") != msg_id:
            continue
        kind = message["msg_type"]
        if kind == "status" and message["content"]["execution_state"] == "idle":
            return outputs
        if kind in ("stream", "display_data", "execute_result", "error"):
            outputs.append(message["content"])


def text(outputs: list[dict]) -> str:
    return "".join(
        o.get("text", "") or o.get("data", {}).get("text/plain", "") or str(o) for o in outputs
    )


def test_a_reader_running_an_unanswered_cell_gets_a_prompt(kernel):
    outputs = run(kernel, CELL, allow_stdin=True)
    assert "replace None with your answer and run the cell again" in text(outputs)


def test_a_program_running_the_notebook_stores_nothing_for_an_unanswered_cell(kernel):
    assert run(kernel, CELL, allow_stdin=False) == []


def test_an_answered_cell_shows_its_verdict_either_way(kernel):
    answered = "check.strided_shape((32, 32, 16))"
    for allow_stdin in (True, False):
        assert "Not yet" in text(run(kernel, answered, allow_stdin=allow_stdin))
