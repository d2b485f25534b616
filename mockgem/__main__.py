import sys

from mockgem.cli import main

sys.exit(main())
