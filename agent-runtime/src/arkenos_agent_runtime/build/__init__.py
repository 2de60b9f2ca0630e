"""``arkenos-build``: turns a content-addressed bundle into a verified, installed artifact
(the operator's build Job), and fetches an artifact into a custom agent's pod. Both reach
the agent's code through the Arkenos API with the pod's own identity (:mod:`.storage`)."""
