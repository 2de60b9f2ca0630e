"""The tests: by component, cross-component integration, and the shared substrate and doubles."""
