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

"""Time has one owner: a reset restarts the episode, never the clock (PyBullet DIRECT)."""

from fractions import Fraction

from twin_sim import PhysicsConfig, Pose
from twin_sim.twin import exact_step_ns, time_of_steps


def test_after_a_reset_every_reading_is_stamped_from_the_reset_on(make_twin):
    twin = make_twin(spawns=[Pose(), Pose(x=1.0)])
    twin.set_command(0.2, 0.5)
    twin.run(3.0)
    reset_ns = twin.time_ns
    twin.reset()
    assert twin.time_ns == reset_ns
    readings = [r for _ in range(round(1.0 / twin.config.physics.step)) for r in twin.step_all()]
    scans = [r.scan for r in readings if r.scan is not None]
    assert len(scans) == 2 * 5   # both robots, 5 Hz, from the reset on
    assert min(scan.time_ns for scan in scans) == reset_ns   # the first sweep starts then
    assert all(reset_ns < r.time_ns <= twin.time_ns for r in readings)
    # Due from the reset on, both ends of the second included: 200 Hz and 50 Hz.
    assert sum(r.imu is not None for r in readings) == 2 * 201
    assert sum(r.odometry is not None for r in readings) == 2 * 51


def test_an_episode_reads_the_same_whenever_it_starts(make_twin):
    def episode(twin) -> list:
        twin.set_command(0.2, 1.0)
        return [(r.time_ns - start, r.imu.linear_acceleration.tolist())
                for r in twin.run(0.5) if r.imu is not None]
    twin = make_twin()
    start = twin.time_ns
    first = episode(twin)
    twin.run(7.3)   # an odd time later
    twin.reset()
    start = twin.time_ns
    assert episode(twin) == first


def test_a_rebuilt_world_keeps_the_time_too(make_twin):
    twin = make_twin()
    twin.run(2.0)
    rebuilt_at = twin.time_ns
    twin.rebuild()
    assert twin.time_ns == rebuilt_at
    scans = [r.scan for r in twin.run(0.5) if r.scan is not None]
    assert scans and scans[0].time_ns == rebuilt_at


# -- exact time -------------------------------------------------------------------------


def test_240_steps_of_a_240th_of_a_second_are_exactly_one_second(make_twin):
    twin = make_twin()
    start = twin.time_ns
    stamps = [twin.step().time_ns for _ in range(240)]
    assert stamps[-1] - start == 10**9
    # Each step's share is the 1/240 s rounded down or up, never drifting from the exact one.
    assert {b - a for a, b in zip([start] + stamps, stamps)} == {4_166_666, 4_166_667}
    for seconds in range(2, 8):
        twin.run(1.0)
        assert twin.time_ns - start == seconds * 10**9


def test_time_is_exact_for_any_step_of_whole_microseconds(make_twin):
    twin = make_twin(physics=PhysicsConfig(step=0.0013))
    twin.run(13.0)   # 10 000 steps
    assert twin.steps == 10_000 and twin.time_ns == 13 * 10**9


def test_time_of_steps_rounds_the_exact_product():
    assert exact_step_ns(1 / 240) == Fraction(12_500_000, 3)
    assert [time_of_steps(k, exact_step_ns(1 / 240)) for k in range(4)] == [
        0, 4_166_667, 8_333_333, 12_500_000]
    assert time_of_steps(240 * 3600 * 24, exact_step_ns(1 / 240)) == 86_400 * 10**9


def test_a_reset_and_a_rebuild_keep_counting_exactly(make_twin):
    twin = make_twin()
    twin.run(0.5)
    twin.reset()
    twin.rebuild()
    twin.run(0.5)
    assert twin.steps == 240 and twin.time_ns == 10**9
