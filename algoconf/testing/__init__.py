"""algoconf.testing."""
