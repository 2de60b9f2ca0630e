"""Test doubles: real HTTP servers on 127.0.0.1 standing in for services the tests cannot reach."""
