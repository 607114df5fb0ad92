"""ASGI entry point for uvicorn: `family_budget.main:app` (the served process: its start-up heap
is frozen out of the garbage collector's sight, see create_app)."""

import gc

# Importing the app and building it allocates ~150k objects that live as long as the process and
# hardly any garbage; the collector would walk the growing heap again and again meanwhile (~15%
# of the start). It is off only while this module runs; the lifespan collects once, then freezes.
gc.disable()
try:
    from family_budget.app import create_app

    app = create_app(freeze_heap=True)
finally:
    gc.enable()
