"""`python -m inkverse.worker`: the same as `inkverse worker`."""

import sys

from inkverse.cli.main import main

if __name__ == "__main__":
    main(["worker", *sys.argv[1:]])
