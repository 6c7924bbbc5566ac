#!/bin/bash
# Source ROS 2 Jazzy and the twin workspace, then run the command (default: the twin).
set -e
# shellcheck disable=SC1091
source /opt/ros/jazzy/setup.bash
# shellcheck disable=SC1091
source /twin_ws/install/setup.bash
exec "$@"
