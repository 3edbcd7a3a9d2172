import sys

from kopiena.cli import main

sys.exit(main())
