# Copyright 2026 The twin Authors
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at
#
#     http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.


"""
Where a campaign's episodes run: a local pool of threads, or Ray tasks.

Both back-ends call the same function, :func:`run_one`, which runs one episode's process
(``twin_campaign.episode``, its own ROS graph) in a scratch folder and returns its row and its
log. The caller writes them into the campaign's output, so a Ray worker on another machine
needs no shared file system, and a row never depends on where it ran. Ray's nodes need the
workspace installed at the same path (Ray runs code, it does not ship it).
"""

from concurrent.futures import as_completed, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
import json
import os
from pathlib import Path
import subprocess
import sys
import tempfile
from typing import Iterator

from twin_campaign import warm
from twin_campaign.campaign import Campaign

WALL_S_PER_SIM_S = 20.0    # an episode slower than this (plus start-up) is hung: killed
START_UP_S = 60.0          # wall s for the processes to start, besides the handshake's limit
RAY_OBJECT_STORE_BYTES = 80 * 1024 ** 2   # rows are small; Ray's floor is about 75 MiB


class BackendError(RuntimeError):
    """A back-end that cannot be used (no Ray cluster at the address); the message says why."""


@dataclass(frozen=True)
class Finished:
    """An episode's row (``outcome`` 'error' when it could not run) and its process's log."""

    row: dict
    log: str


# Episode processes are forked from a server that imported twin_campaign.episode (rclpy,
# the messages, NumPy, PyBullet, the bridge) once per campaign, or per Ray worker: a fresh
# interpreter per episode spent about 0.6 CPU s on those imports (twin_campaign.warm).
EPISODES = warm.Server(['twin_campaign.episode'])


def episode_command(campaign: Campaign, key: str, result: Path, record: str | None) -> list:
    """Return the command line of one episode's process (``python -m twin_campaign.episode``)."""
    return [sys.executable, '-m', 'twin_campaign.episode', str(campaign.path), key, str(result),
            *(['--record', record] if record else [])]


def run_one(campaign: Campaign, key: str, record: str | None) -> Finished:
    """
    Run one episode's process to its end; an error row when it fails or hangs.

    The process is killed (with its bridge and controller: one process group) when it
    outlives START_UP_S + the start handshake's limit + WALL_S_PER_SIM_S x its scenario's
    time limit.
    """
    limit = next(s.time_limit for s in campaign.scenarios if key.startswith(f'{s.name}-'))
    with tempfile.TemporaryDirectory(prefix=f'twin-{key}-') as scratch:
        result, log = Path(scratch) / 'row.json', Path(scratch) / 'episode.log'
        process = EPISODES.start(episode_command(campaign, key, result, record), str(log))
        try:
            code = process.wait(START_UP_S + campaign.start_timeout + WALL_S_PER_SIM_S * limit)
        except subprocess.TimeoutExpired:
            process.kill_group()
            process.wait()
            code = 'timeout'
        text = log.read_text()
        if code == 0 and result.is_file():
            return Finished(json.loads(result.read_text()), text)
    last = (text.strip().splitlines() or ['(empty log)'])[-1]
    return Finished(error_row(campaign, key, f'exit {code}: {last[:200]}'), text)


def error_row(campaign: Campaign, key: str, reason: str) -> dict:
    """Return the row of an episode that could not run, with the reason."""
    scenario, _, index = key.rpartition('-')
    return {'key': key, 'scenario': scenario, 'episode': int(index), 'seed': campaign.seed,
            'outcome': 'error', 'failed_criterion': reason}


def _reason(error: Exception) -> str:
    """Return an exception as one short line for the failed_criterion column."""
    lines = str(error).strip().splitlines() or ['']
    return f'{type(error).__name__}: {lines[0]}'[:200]


def local_pool(campaign: Campaign, keys: list, workers: int,
               record: str | None) -> Iterator[Finished]:
    """Run the episodes ``workers`` at a time in this machine's threads; yield as they end."""
    with ThreadPoolExecutor(max(1, workers)) as pool:
        futures = {pool.submit(run_one, campaign, key, record): key for key in keys}
        for future in as_completed(futures):
            try:
                yield future.result()
            except Exception as error:   # as a Ray task's: an error row, never a dead campaign
                yield Finished(error_row(campaign, futures[future], _reason(error)), repr(error))


def execute(campaign: Campaign, keys: list, workers: int | None, record: str | None,
            ray_address: str | None = None) -> Iterator[Finished]:
    """
    Run the episodes on the chosen back-end; yield each as it ends.

    :param workers: episodes at once (None: this machine's cores; on a Ray cluster, as many
        as its CPUs take)
    :param ray_address: None for the local pool; 'local' to start a Ray instance here;
        otherwise the address of a running Ray cluster (``ray.init``'s address)
    """
    if ray_address is None:
        return local_pool(campaign, keys, workers or os.cpu_count() or 1, record)
    return ray_pool(campaign, keys, workers, record, ray_address)


def ray_pool(campaign: Campaign, keys: list, workers: int | None, record: str | None,
             address: str) -> Iterator[Finished]:
    """
    Run each episode as a Ray task (``run_one``, one CPU, no retry); yield as they end.

    A task that raises or whose worker dies is an error row, like a crashed episode. At
    most ``workers`` tasks are in flight (all of them when None).
    """
    import ray   # only this back-end needs it: a heavy import the local pool does without
    with ray_session(address, workers):
        task = ray.remote(num_cpus=1, max_retries=0)(run_one)
        waiting, running = list(keys), {}
        while waiting or running:
            while waiting and len(running) < (workers or len(keys)):
                key = waiting.pop(0)
                running[task.remote(campaign, key, record)] = key
            [done], _ = ray.wait(list(running), num_returns=1)
            key = running.pop(done)
            try:
                yield ray.get(done)
            except ray.exceptions.RayTaskError as error:   # the task raised: as the pool says
                yield Finished(error_row(campaign, key, _reason(error.cause)), str(error))
            except ray.exceptions.RayError as error:   # its worker or node died
                yield Finished(error_row(campaign, key, _reason(error)), str(error))


@contextmanager
def ray_session(address: str, workers: int | None):
    """
    Connect to Ray for the block, or use the session already open.

    A local instance (``address='local'``) gets ``workers`` CPUs (default: the cores), a
    small object store and no dashboard: it only schedules processes and returns rows.
    """
    import ray
    if ray.is_initialized():
        yield
        return
    options = {'logging_level': 'WARNING', 'log_to_driver': False}
    if address == 'local':
        options.update(num_cpus=workers or os.cpu_count() or 1, include_dashboard=False,
                       object_store_memory=RAY_OBJECT_STORE_BYTES)
    try:
        ray.init(address=address, **options)
    except (ConnectionError, RuntimeError, ValueError) as error:
        raise BackendError(f'cannot start or reach Ray at {address!r}: {error}; give the '
                           "address of a running cluster ('ray start --head' prints it), "
                           'or --ray for a local instance') from None
    try:
        yield
    finally:
        ray.shutdown()
