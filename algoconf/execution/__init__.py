"""algoconf.execution."""
