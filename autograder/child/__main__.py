"""Start the sandboxed child: ``python -I .../autograder/child/__main__.py <fd-in> <fd-out>`` runs one
submission's child; ``... --zygote <fd>`` the sandbox's zygote. ``-I`` leaves the script's folder
off ``sys.path``, so the package's parent is put there explicitly (the sandbox mounts only the
grader's package, which holds no solutions and no checks)."""

import os
import sys

if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    sys.stdin = open(os.devnull)
    if sys.argv[1] == "--zygote":
        from autograder.child.zygote import zygote

        zygote(int(sys.argv[2]))
    else:
        from autograder.child.server import serve

        serve(int(sys.argv[1]), int(sys.argv[2]))
