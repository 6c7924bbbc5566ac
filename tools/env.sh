# shellcheck shell=bash
# The project environment, for bash: `. tools/env.sh` from the workspace root.
# Made by tools/bootstrap.py (`make setup`); the Makefile sources it for every command.

TWIN_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ ! -f "$TWIN_ROOT/.venv/twin-env.stamp" ]; then
  echo "twin: no environment in $TWIN_ROOT/.venv yet; run 'make setup' first." >&2
  return 1
fi

# shellcheck disable=SC1091
. "$TWIN_ROOT/.venv/bin/activate"

if [ -z "${ROS_DISTRO:-}" ]; then
  # The venv is the ROS 2 "install": the wheels put share/ and lib/ under its prefix.
  export AMENT_PREFIX_PATH="$VIRTUAL_ENV${AMENT_PREFIX_PATH:+:$AMENT_PREFIX_PATH}"
  export CMAKE_PREFIX_PATH="$VIRTUAL_ENV${CMAKE_PREFIX_PATH:+:$CMAKE_PREFIX_PATH}"
  # shellcheck disable=SC1091
  COLCON_CURRENT_PREFIX="$VIRTUAL_ENV/overlay" . "$VIRTUAL_ENV/overlay/local_setup.bash"
fi

# DDS stays on this machine unless the user says otherwise, and off the default domain 0.
export ROS_AUTOMATIC_DISCOVERY_RANGE="${ROS_AUTOMATIC_DISCOVERY_RANGE:-LOCALHOST}"
export ROS_DOMAIN_ID="${ROS_DOMAIN_ID:-42}"
