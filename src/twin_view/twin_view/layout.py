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
The Foxglove layout shipped as config/foxglove/twin.json, built with the SDK's layout types.

A test holds the file to this function; after a change here, write the file again with
``python -m twin_view.layout > config/foxglove/twin.json``.
"""

import json

import foxglove.layouts as fl

# TurtleBot3 Burger limits (the bridge's defaults): 0.22 m/s, 2.84 rad/s.
FORWARD, TURN = 0.2, 1.0


def layout() -> fl.Layout:
    """Return the layout: the 3D scene and Teleop left; position plot and diagnostics right."""
    scene = fl.ThreeDeePanel(title='twin', config=fl.ThreeDeeConfig(
        follow_tf='base_footprint', topics={
            '/scene/world': fl.BaseRendererSceneUpdateTopicSettings(visible=True),
            '/scene/robot': fl.BaseRendererSceneUpdateTopicSettings(visible=True),
            '/scan': fl.BaseRendererLaserScanTopicSettings(visible=True, point_size=4,
                                                           flat_color='#ff3030'),
            '/ground_truth/path': fl.BaseRendererPosesTopicSettings(
                visible=True, type='line', line_width=0.02, gradient=('#20c020', '#20c020')),
            '/odom/path': fl.BaseRendererPosesTopicSettings(
                visible=True, type='line', line_width=0.02, gradient=('#3070ff', '#3070ff')),
        }))
    teleop = fl.TeleopPanel(title='drive', config=fl.TeleopConfig(
        topic='/cmd_vel', publish_rate=10,
        up_button=fl.TeleopButton(field='linear-x', value=FORWARD),
        down_button=fl.TeleopButton(field='linear-x', value=-FORWARD),
        left_button=fl.TeleopButton(field='angular-z', value=TURN),
        right_button=fl.TeleopButton(field='angular-z', value=-TURN),
        stop_button=fl.TeleopButton(field='linear-x', value=0.0),
        auto_send_stop_on_release=True))
    plot = fl.PlotPanel(title='position: odometry vs ground truth', config=fl.PlotConfig(
        paths=[fl.PlotSeries(value=f'/{source}/pose.pose.position.{axis}',
                             label=f'{source} {axis}')
               for source in ('ground_truth', 'odom') for axis in ('x', 'y')]))
    diagnostics = fl.DiagnosticsSummaryPanel(
        title='diagnostics', config=fl.DiagnosticsSummaryConfig(topic_to_render='/diagnostics'))
    return fl.Layout(content=fl.SplitContainer(direction='row', items=[
        fl.SplitItem(proportion=2, content=fl.SplitContainer(direction='column', items=[
            fl.SplitItem(proportion=3, content=scene),
            fl.SplitItem(proportion=1, content=teleop)])),
        fl.SplitItem(proportion=1, content=fl.SplitContainer(direction='column', items=[
            fl.SplitItem(content=plot), fl.SplitItem(content=diagnostics)]))]))


def layout_text() -> str:
    """Return the layout as the shipped file holds it (indented JSON, one final newline)."""
    return json.dumps(json.loads(layout().to_json()), indent=2) + '\n'


if __name__ == '__main__':
    print(layout_text(), end='')
