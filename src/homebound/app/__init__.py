"""The application: configuration, wiring of the layers, and the `homebound` command line."""
