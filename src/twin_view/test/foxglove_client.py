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
A Foxglove WebSocket client for the tests, speaking the protocol as the Foxglove app does.

Built on ``websockets`` (not on the SDK under test), it decodes what it receives with the
schemas the server advertises: protobuf messages through the advertised file descriptors.
"""

import base64
import json
import struct
import time

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from websockets.exceptions import ConnectionClosedOK
from websockets.sync.client import connect

SUBPROTOCOL = 'foxglove.sdk.v1'
MESSAGE_DATA = 0x01  # binary opcode, both directions


class FoxgloveClient:
    """One connection to a Foxglove WebSocket server: ``with FoxgloveClient(url) as client``."""

    def __init__(self, url: str, timeout: float = 30.0):
        """Connect to ``url`` on entering; keep trying for ``timeout`` (the server may start)."""
        self.url, self.timeout = url, timeout
        self.channels = {}  # topic -> the advertised channel
        self.next_id = 0

    def __enter__(self) -> 'FoxgloveClient':
        """Connect, retrying while the server is not listening yet."""
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                self.connection = connect(self.url, subprotocols=[SUBPROTOCOL], open_timeout=5)
                self.socket = self.connection.__enter__()
                return self
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def __exit__(self, *exception) -> None:
        """Close the connection."""
        self.connection.__exit__(*exception)

    def _receive(self, deadline: float):
        """Return the next frame (str or bytes), recording advertisements on the way."""
        frame = self.socket.recv(timeout=max(0.0, deadline - time.monotonic()))
        if isinstance(frame, str):
            message = json.loads(frame)
            if message.get('op') == 'advertise':
                self.channels.update({c['topic']: c for c in message['channels']})
        return frame

    def wait_channels(self, topics: set, timeout: float = 30.0) -> dict:
        """Return the advertised channels once every one of ``topics`` is among them."""
        deadline = time.monotonic() + timeout
        while not topics <= set(self.channels):
            self._receive(deadline)
        return self.channels

    def subscribe(self, topic: str) -> int:
        """Subscribe to an advertised topic; return the subscription id."""
        self.next_id += 1
        self.socket.send(json.dumps({'op': 'subscribe', 'subscriptions': [
            {'id': self.next_id, 'channelId': self.channels[topic]['id']}]}))
        return self.next_id

    def unsubscribe(self, subscription: int) -> None:
        """End a subscription."""
        self.socket.send(json.dumps({'op': 'unsubscribe', 'subscriptionIds': [subscription]}))

    def next_message(self, subscription: int, timeout: float = 30.0) -> bytes:
        """Return the payload of the next message on ``subscription``."""
        deadline = time.monotonic() + timeout
        while True:
            frame = self._receive(deadline)
            if isinstance(frame, bytes) and frame[0] == MESSAGE_DATA:
                sub_id, _log_time = struct.unpack_from('<IQ', frame, 1)
                if sub_id == subscription:
                    return frame[13:]

    def wait_closed(self, timeout: float = 30.0) -> None:
        """Return once the server closes the connection; raise if it was dropped unclosed."""
        deadline = time.monotonic() + timeout
        try:
            while True:
                self._receive(deadline)
        except ConnectionClosedOK:
            return

    def advertise(self, topic: str, schema_name: str, encoding: str = 'json') -> int:
        """Advertise a client channel (as the Teleop panel does); return its id."""
        self.next_id += 1
        self.socket.send(json.dumps({'op': 'advertise', 'channels': [
            {'id': self.next_id, 'topic': topic, 'encoding': encoding,
             'schemaName': schema_name}]}))
        return self.next_id

    def publish(self, channel: int, payload: bytes) -> None:
        """Send one message on an advertised client channel."""
        self.socket.send(struct.pack('<BI', MESSAGE_DATA, channel) + payload)


def protobuf_class(schema_name: str, file_descriptor_set: bytes):
    """Return the protobuf message class ``schema_name`` from its schema's file descriptors."""
    files = descriptor_pb2.FileDescriptorSet.FromString(file_descriptor_set)
    pool = descriptor_pool.DescriptorPool()
    pending = list(files.file)
    while pending:  # add each file after the files it imports
        added = [f for f in pending if all(pool_has(pool, d) for d in f.dependency)]
        assert added, f'unresolvable imports in the schema of {schema_name}'
        for file in added:
            pool.Add(file)
            pending.remove(file)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName(schema_name))


def pool_has(pool, file_name: str) -> bool:
    """Return whether ``pool`` holds the file ``file_name``."""
    try:
        pool.FindFileByName(file_name)
        return True
    except KeyError:
        return False


def decode(channel: dict, payload: bytes):
    """Decode a payload of an advertised channel (protobuf or JSON)."""
    if channel['encoding'] == 'json':
        return json.loads(payload)
    assert channel['encoding'] == 'protobuf', channel
    message_class = protobuf_class(channel['schemaName'], base64.b64decode(channel['schema']))
    return message_class.FromString(payload)


def decode_message(message):
    """Return a Foxglove SDK message as protobuf decodes it (the SDK's have no getters)."""
    schema = message.get_schema()
    return protobuf_class(schema.name, schema.data).FromString(message.encode())
