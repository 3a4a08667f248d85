"""The ``algoconf`` command: one module per command group, registered in ``main.py``."""
