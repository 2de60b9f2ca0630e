"""Tools an agent's LLM can call: HTTP tools behind the SSRF guard, and the built-ins."""
