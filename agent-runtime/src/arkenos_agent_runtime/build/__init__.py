"""``arkenos-build``: turns a content-addressed bundle into a verified, installed artifact
(the operator's build Job), and fetches an artifact into a custom agent's pod."""
