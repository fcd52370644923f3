"""ml_collections configs, one file per method; ``get_config(variant)`` returns a locked config.

Every config has ``method``, ``dataset``, ``seed``, ``epochs`` and ``checkpoint_every``; the
per-dataset variants derive from the method's default and cite the source of every value; the
``test`` variant is tiny and used by the test suite.

:data:`experiments.registry.METHODS` names the module of each method. A module may also define
``build(model: ml_collections.ConfigDict) -> method``: :func:`experiments.registry.build_method`
then builds the method of a config with it from ``config.model`` (else with the registry's
``jgssl.methods`` class).
"""
