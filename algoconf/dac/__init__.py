"""algoconf.dac."""
