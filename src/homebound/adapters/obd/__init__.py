"""OBD-II through an ELM327 adapter (python-OBD): speed, RPM, temperatures, fuel or battery level, trouble codes."""
