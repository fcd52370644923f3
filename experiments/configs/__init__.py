"""ml_collections configs, one file per method; ``get_config(variant)`` returns a locked config.

Every config has ``method``, ``dataset``, ``seed``, ``epochs`` and ``checkpoint_every``; the
per-dataset variants derive from the method's default and cite the source of every value; the
``test`` variant is tiny and used by the test suite.
"""
