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
The parameter table on a node: typed overrides in, declared parameters with descriptors out.

The values are checked before the node exists (:func:`twin_bridge.parameters.checked_values`)
and handed to rclpy as the node's ``parameter_overrides``, the public way in, so declaring
takes each in the table's type and nothing reads rclpy's private state.
"""

from rcl_interfaces.msg import FloatingPointRange, IntegerRange, ParameterDescriptor
from rclpy.exceptions import (InvalidParameterTypeException, InvalidParameterValueException,
                              ParameterUninitializedException)
from rclpy.node import Node
from rclpy.parameter import Parameter
from twin_bridge.parameters import Param, PARAMETERS, PARAMETERS_BY_NAME

ROS_TYPES = {bool: Parameter.Type.BOOL, int: Parameter.Type.INTEGER,
             float: Parameter.Type.DOUBLE, str: Parameter.Type.STRING}
ARRAY_TYPES = {str: Parameter.Type.STRING_ARRAY, float: Parameter.Type.DOUBLE_ARRAY}


def ros_arguments(argv: list[str]) -> list[str]:
    """Return the arguments of every ``--ros-args`` section of a command line."""
    ros_args, inside = [], False
    for arg in argv:
        if arg == '--ros-args':
            inside = True
        elif arg == '--':
            inside = False
        elif inside:
            ros_args.append(arg)
    return ros_args


def parameter_overrides(values: dict) -> list[Parameter]:
    """Return checked values (by dotted name) as parameters of the table's types."""
    overrides = []
    for name, value in values.items():
        param = PARAMETERS_BY_NAME[name]
        if param.array_of is not None:
            if value:   # rclpy cannot type an empty list; [] is the default anyway
                overrides.append(Parameter(name, ARRAY_TYPES[param.array_of], value))
        else:
            overrides.append(Parameter(name, ROS_TYPES[type(param.default)], value))
    return overrides


def declare_parameters(node: Node) -> dict:
    """
    Declare every parameter of the table, and ``step_count``; return the values by name.

    :raises ValueError: rclpy refused a value (the checks before should have caught it)
    """
    values = {}
    for param in PARAMETERS:
        try:
            values[param.name] = declare_list(node, param) if param.array_of else \
                node.declare_parameter(param.name, param.default, descriptor(param)).value
        except (InvalidParameterValueException, InvalidParameterTypeException,
                ParameterUninitializedException) as error:
            raise ValueError(f'parameter {param.name}: '
                             f'{str(error).strip().splitlines()[0]}') from None
    # ``step_count`` may change at run time: how many steps one sim/step call advances.
    node.declare_parameter('step_count', 1, ParameterDescriptor(
        description='physics steps advanced by one sim/step call while paused',
        integer_range=[IntegerRange(from_value=1, to_value=1_000_000, step=1)]))
    return values


def declare_list(node: Node, param: Param) -> list:
    """
    Declare a list parameter of the table, always with a value; return it.

    rclpy cannot tell the type of [], so a list is declared by type; left at that, a list
    not given has no value, and rclpy's get_parameters service then answers nothing at all
    to a request naming it (``ros2 param dump`` showed no parameter). It is given its typed
    [] while still writable, then gets its table descriptor (read-only).
    """
    kind = ARRAY_TYPES[param.array_of]
    writable = descriptor(param)
    writable.read_only = False
    value = node.declare_parameter(param.name, kind, writable).value
    if value is None:
        node.set_parameters([Parameter(param.name, kind, [])])
    final = descriptor(param)
    final.type = kind.value
    node.set_descriptor(param.name, final)
    return list(value or [])


def descriptor(param: Param) -> ParameterDescriptor:
    """Return the descriptor ``ros2 param describe`` shows: description, unit, range."""
    extra = f' [{param.unit}]' if param.unit else ''
    result = ParameterDescriptor(description=param.description + extra,
                                 read_only=param.read_only)
    if param.choices:
        result.additional_constraints = 'one of: ' + ', '.join(param.choices)
    elif isinstance(param.default, float) and param.low is not None:
        result.floating_point_range = [FloatingPointRange(
            from_value=float(param.low), to_value=float(param.high), step=0.0)]
    elif isinstance(param.default, int) and not isinstance(param.default, bool) and \
            param.low is not None:
        result.integer_range = [IntegerRange(
            from_value=int(param.low), to_value=int(param.high), step=1)]
    return result
