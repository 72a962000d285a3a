"""The trusted side of running student code: what starts the child, limits it, talks to it, kills it.

* :mod:`.isolation`: how a child is isolated (:class:`~.isolation.Sandbox`: bubblewrap, or none);
* :mod:`.process`: one child process and the framed pipes to it;
* :mod:`.zygote`: a sandbox whose first process forks the children, and its pool;
* :mod:`.children`: where a grading process gets each child (a fork, or one started ahead);
* :mod:`.cells`: the notebook's cells run in a child, demoted when they hang or crash it;
* :mod:`.runtime`: calls into the child (:class:`~.runtime.SandboxRuntime`); :mod:`.local`: calls in
  the student's own kernel (:class:`~.local.LocalRuntime`);
* :mod:`.standins`: the trusted functions one call may use;
* :mod:`.submission`: what the checks see (:class:`~.submission.Submission`).

The other side, the code that runs beside student code, is :mod:`autograder.child`; the two speak
:mod:`autograder.protocol` over :mod:`autograder.wire`.
"""
