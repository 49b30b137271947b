"""The frozen app's entry script: PyInstaller runs this, which runs `app.main.main`."""

import sys

from app.main import main

if __name__ == "__main__":
    sys.exit(main())
