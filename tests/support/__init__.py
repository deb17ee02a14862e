"""Test helpers: a real HTTP server on 127.0.0.1 and fixture loaders."""
