"""The pure core: signal metadata, value validation and the VSS catalog. No I/O beyond reading catalog files."""
