"""The `sdv.databroker.v1` stubs, generated at build time from `../proto` (tools/generate_sdv_stubs.py)."""
