import sys

from cno.cli import main

sys.exit(main())
