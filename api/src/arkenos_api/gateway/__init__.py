"""The worker gateway: custom agent pods connect their LiveKit worker here instead of to
LiveKit, authenticated as their own agent; the gateway registers them upstream with the
platform's key under that agent's dispatch name only, and filters what passes."""
