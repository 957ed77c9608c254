"""A zoo of backends that proves the conformance harness discriminates.

:mod:`.mutants` holds backends that each carry one realistic bug (the harness
must catch every one, for the right reason); :mod:`.variants` holds backends
that compute Eq 2 correctly in different ways (the harness must pass every
one).  Each backend's ``target`` names its module file, so the harness can
reload it in a worker process.
"""

from .mutants import MUTANTS, VIOLATES
from .variants import VARIANTS

__all__ = ["MUTANTS", "VARIANTS", "VIOLATES"]
