"""The demo regency: a deterministic, realistic *Pemerintah Kabupaten Sukamaju*.

``skp demo --size tiny|small|median|large --seed N [--reset]`` (:mod:`skp_app.demo.cli`) or
:func:`skp_app.demo.generator.build_demo` fill an empty database with the organisation
(:mod:`~skp_app.demo.structure`), the employees and their accounts
(:mod:`~skp_app.demo.people`, :mod:`~skp_app.demo.names`) and the year's planning: RPJMD and
OPD goals and every SKP with its cascade (:mod:`~skp_app.demo.planning`), then realizations,
evaluations, attendance, daily activities and the TPP recap (:mod:`~skp_app.demo.realization`,
whose stages register themselves with :func:`skp_app.demo.generator.register_stage`).
"""

from skp_app.demo import realization as _realization  # noqa: F401  (registers its stages)
