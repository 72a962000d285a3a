"""The only grader code that runs beside student code, inside the sandbox (or, for self-checks, in
the student's own kernel): :mod:`.executor` runs cells and calls, :mod:`.server` answers the trusted
side's requests, :mod:`.zygote` forks a child per submission and puts the sandbox back between them.

It imports nothing that knows the answers: only :mod:`autograder.wire`, :mod:`autograder.protocol`
and the standard library (a test holds every module here to that, relative imports included).
Whatever it sends back is treated by the trusted side as untrusted data.
"""
