import sys

from algoconf.cli.main import main

sys.exit(main())
