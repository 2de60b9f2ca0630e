"""The reconcile kernel every resource uses: one error taxonomy (:mod:`.errors`, each reason's
kind decided in :mod:`.reasons`), per-object locks that shrink (:mod:`.locks`), and the runner
that fetches, reconciles, writes status and maps the outcome to kopf (:mod:`.runner`)."""
