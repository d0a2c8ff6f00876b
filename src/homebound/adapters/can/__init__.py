"""CAN: live buses and recorded logs (python-can), decoded with DBC files (cantools) through CAN<->VSS mappings.

`source` reads frames, `dbc` loads (and repairs) DBC files, `mapping` reads Kuksa's and the compact mapping
formats, `transforms` and `expression` turn DBC values into VSS values and back, `decoder` is the hot path,
`gateway` batches values into the hub, `actuator` turns commands into frames, `cars` holds the shipped cars, and
`runner` assembles all of it from settings.
"""
