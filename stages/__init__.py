"""Pipeline stages: each reads params.yaml, calls the library, writes its outputs."""
