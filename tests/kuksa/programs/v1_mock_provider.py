"""A v1 provider as kuksa-mock-provider writes one (mock/mockservice.py there), on kuksa-client 0.4.3.

Run in its own environment (kuksa-client 0.4.3 pins protobuf 5): subscribes to the actuators' target values with
`subscribe_target_values` and answers every target with `set_current_values`, both kuksa.val v1 calls in that
version. Prints each target it carries out. Usage: python v1_mock_provider.py PORT PATH [PATH...]
"""

import sys

from kuksa_client.grpc import Datapoint, VSSClient

port, paths = int(sys.argv[1]), sys.argv[2:]
with VSSClient("127.0.0.1", port) as client:
    print("connected", flush=True)
    for updates in client.subscribe_target_values(paths):
        for path, target in updates.items():
            if target is None:
                continue
            client.set_current_values({path: Datapoint(target.value)})
            print(f"target {path} {target.value}", flush=True)
