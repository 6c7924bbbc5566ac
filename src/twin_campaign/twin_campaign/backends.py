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
Where a campaign's episodes run: a local pool of threads, or Ray actors.

Both back-ends call the same function, :func:`run_one`, which runs one episode's process
(``twin_campaign.episode``, its own ROS graph) in a scratch folder and returns its row and its
log. The caller writes them into the campaign's output, so a Ray worker on another machine
needs no shared file system, and a row never depends on where it ran. Ray's nodes need the
workspace installed at the same path (Ray runs code, it does not ship it).
"""

from concurrent.futures import as_completed, ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
import fcntl
import json
import os
from pathlib import Path
import queue
import subprocess
import sys
import tempfile
from typing import Iterator

from twin_campaign import warm
from twin_campaign.campaign import Campaign

WALL_S_PER_SIM_S = 20.0    # an episode slower than this (plus start-up) is hung: killed
START_UP_S = 60.0          # wall s for the processes to start, besides the handshake's limit
RAY_OBJECT_STORE_BYTES = 80 * 1024 ** 2   # rows are small; Ray's floor is about 75 MiB
# Episodes per worker at once: one steps, the next starts (its processes, discovery, the
# handshake: 1.3-2.6 wall s, mostly waiting) and waits, paused, for the first to end.
EPISODES_PER_WORKER = 2
CLAIMS = Path(tempfile.gettempdir())   # where campaigns claim the cores they step on


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


def episode_command(campaign: Campaign, key: str, result: Path, record: str | None,
                    gate: Path | None = None) -> list:
    """Return the command line of one episode's process (``python -m twin_campaign.episode``)."""
    return [sys.executable, '-m', 'twin_campaign.episode', str(campaign.path), key, str(result),
            *(['--record', record] if record else []), *(['--gate', str(gate)] if gate else [])]


class Places:
    """
    The places where episodes may step at once: one per worker, each a core or anywhere.

    An episode's processes take turns (lock-step), about 2,000 context switches per
    simulated second. Two episodes whose processes could run on either of two cores took
    13-19 % more CPU each than one alone, 2-5 % once each had its own core (wake-ups
    across the cores: rescheduling interrupts, 400-660 a second per core against 10-80;
    docs/campaigns.md, seventh session).
    """

    def __init__(self, cores: list[int | None], claims: tuple = ()):
        """Offer a place per item of ``cores``: a core, or None (anywhere); hold ``claims``."""
        self._free, self._claims = queue.SimpleQueue(), list(claims)
        for core in cores:
            self._free.put(core)

    @classmethod
    def for_workers(cls, workers: int) -> 'Places':
        """
        Return a place per worker: each a core of its own, if the workers fit the cores.

        Claimed (:func:`claim_core`), so that two campaigns on a machine, or Ray's actors on
        a node, step on different cores; a worker that finds none free steps anywhere.
        """
        if workers > len(os.sched_getaffinity(0)):
            return cls([None] * workers)
        claims = [claim_core() for _ in range(workers)]
        return cls([core for core, _ in claims], [lock for _, lock in claims if lock is not None])

    def close(self) -> None:
        """Let other campaigns have the cores (also done when this process ends)."""
        for lock in self._claims:
            os.close(lock)
        self._claims = []

    @contextmanager
    def place(self) -> Iterator[int | None]:
        """Wait for a free place; hold it for the block."""
        core = self._free.get()
        try:
            yield core
        finally:
            self._free.put(core)


def claim_core() -> tuple[int | None, int | None]:
    """
    Claim a core of this process's affinity that no other process holds: the core, its lock.

    Campaigns on a machine, and Ray's actors on a node, do not know each other: each takes
    the first core whose lock file (flock) in CLAIMS is free, and holds it while it lives
    (the kernel lets go when its process ends, or close the descriptor). (None, None) when
    every core is claimed.
    """
    for core in sorted(os.sched_getaffinity(0)):
        try:   # another user's lock file may not be ours to open: that core is theirs
            lock = os.open(CLAIMS / f'twin-campaign-core-{core}.lock',
                           os.O_RDWR | os.O_CREAT, 0o666)
        except OSError:
            continue
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return core, lock
        except BlockingIOError:   # another campaign's, or another actor's
            os.close(lock)
    return None, None


def run_one(campaign: Campaign, key: str, record: str | None,
            stepping: Places | None = None) -> Finished:
    """
    Run one episode's process to its end; an error row when it fails or hangs.

    :param stepping: the places where episodes may step: this one starts at once, then
        waits for a place (ready and paused: ``twin_campaign.episode.Gate``) and steps on
        its core; None: no wait, anywhere

    The process is killed (with its bridge and controller: one process group) when it
    outlives, from its place, START_UP_S + the start handshake's limit + WALL_S_PER_SIM_S x
    its scenario's time limit.
    """
    limit = next(s.time_limit for s in campaign.scenarios if key.startswith(f'{s.name}-'))
    with tempfile.TemporaryDirectory(prefix=f'twin-{key}-') as scratch:
        result, log, gate = (Path(scratch) / name for name in ('row.json', 'episode.log', 'go'))
        os.mkfifo(gate)
        # Held open read-write (never blocks): the episode's read waits for the go-ahead, and
        # an episode that ended before it leaves nobody to get a SIGPIPE.
        go = os.open(gate, os.O_RDWR | os.O_NONBLOCK)
        try:
            process = EPISODES.start(episode_command(campaign, key, result, record, gate),
                                     str(log))
            with stepping.place() if stepping else nullcontext() as core:
                os.write(go, b'\n' if core is None else f'{core}\n'.encode())
                code = wait_or_kill(process, START_UP_S + campaign.start_timeout +
                                    WALL_S_PER_SIM_S * limit)
        finally:
            os.close(go)
        text = log.read_text()
        if code == 0 and result.is_file():
            return Finished(json.loads(result.read_text()), text)
    last = (text.strip().splitlines() or ['(empty log)'])[-1]
    return Finished(error_row(campaign, key, f'exit {code}: {last[:200]}'), text)


def wait_or_kill(process, timeout: float) -> int | str:
    """Return the process's exit code, or 'timeout' once it is killed after ``timeout`` s."""
    try:
        return process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill_group()
        process.wait()
        return 'timeout'


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
    """
    Run the episodes ``workers`` at a time in this machine's threads; yield as they end.

    Each worker's next episode starts while its episode steps (EPISODES_PER_WORKER), and
    steps on the worker's own core if there is one for each (:class:`Places`).
    """
    workers = max(1, workers)
    stepping = Places.for_workers(workers)
    try:
        with ThreadPoolExecutor(EPISODES_PER_WORKER * workers) as pool:
            futures = {pool.submit(run_one, campaign, key, record, stepping): key
                       for key in keys}
            for future in as_completed(futures):
                try:
                    yield future.result()
                except Exception as error:   # as on Ray: an error row, never a dead campaign
                    yield Finished(error_row(campaign, futures[future], _reason(error)),
                                   repr(error))
    finally:
        stepping.close()


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


class Slot:
    """
    A Ray actor: one worker's episodes, the next one starting while the one before steps.

    It keeps its warm server (``EPISODES``) for the Ray session, and takes
    EPISODES_PER_WORKER calls at once (threads), one of which may step (``run_one``), on
    the core it claimed on its node (:func:`claim_core`; anywhere if none was free).
    """

    def __init__(self):
        """Start the warm server, so the first episode does not wait for its imports."""
        self.stepping = Places.for_workers(1)   # a core of its node, if one is free
        try:   # a cluster started without RAY_worker_niceness=0 runs its workers at 15
            os.setpriority(os.PRIO_PROCESS, 0, 0)
        except PermissionError:   # lowering it needs CAP_SYS_NICE: the episodes stay nice
            pass
        EPISODES.ensure_running()

    def run(self, campaign: Campaign, key: str, record: str | None) -> Finished:
        """Run one episode (``run_one``)."""
        return run_one(campaign, key, record, self.stepping)

    def ready(self) -> bool:
        """Return True (once the actor has started: its warm server imported)."""
        return True


_slots = []   # this Ray session's actors (ray_slots)


def ray_slots(count: int) -> list:
    """
    Return ``count`` Slot actors of this Ray session, started (and warm) at the first call.

    Kept for the session: a tuning's trials, or the bench's runs, reuse their warm servers.
    """
    import ray
    _slots.extend(_new_slot() for _ in range(count - len(_slots)))
    ray.get([slot.ready.remote() for slot in _slots[:count]])
    return _slots[:count]


def _new_slot():
    import ray
    return ray.remote(num_cpus=1, max_concurrency=EPISODES_PER_WORKER, max_restarts=0)(
        Slot).remote()


def ray_pool(campaign: Campaign, keys: list, workers: int | None, record: str | None,
             address: str) -> Iterator[Finished]:
    """
    Run the episodes on Ray Slot actors (one CPU each, no retry); yield as they end.

    A call that raises, or whose actor dies (it is replaced), is an error row, like a
    crashed episode. ``workers`` actors (None: one per CPU of the cluster).
    """
    import ray   # only this back-end needs it: a heavy import the local pool does without
    with ray_session(address, workers):
        count = min(len(keys), workers or int(ray.cluster_resources().get('CPU', 1)))
        slots = ray_slots(count) if keys else []
        waiting, running, busy = list(keys), {}, [0] * len(slots)
        while waiting or running:
            for index, slot in enumerate(slots):
                while waiting and busy[index] < EPISODES_PER_WORKER:
                    key = waiting.pop(0)
                    running[slot.run.remote(campaign, key, record)] = (key, index, slot)
                    busy[index] += 1
            [done], _ = ray.wait(list(running), num_returns=1)
            key, index, slot = running.pop(done)
            busy[index] -= 1
            try:
                yield ray.get(done)
            except ray.exceptions.RayTaskError as error:   # the call raised: as the pool says
                yield Finished(error_row(campaign, key, _reason(error.cause)), str(error))
            except ray.exceptions.RayError as error:   # its actor or node died
                if _slots[index] is slot:
                    _slots[index] = slots[index] = _new_slot()
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
        # Ray's workers run at niceness 15 by default, and what they start inherits it: any
        # other work on the machine, Ray's own included, would come before the episodes.
        options.update(num_cpus=workers or os.cpu_count() or 1, include_dashboard=False,
                       object_store_memory=RAY_OBJECT_STORE_BYTES,
                       _system_config={'worker_niceness': 0})
    try:
        ray.init(address=address, **options)
    except (ConnectionError, RuntimeError, ValueError) as error:
        raise BackendError(f'cannot start or reach Ray at {address!r}: {error}; give the '
                           "address of a running cluster ('ray start --head' prints it), "
                           'or --ray for a local instance') from None
    try:
        yield
    finally:
        _slots.clear()
        ray.shutdown()
