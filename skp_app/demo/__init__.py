"""The demo regency: a deterministic, realistic *Pemerintah Kabupaten Sukamaju*.

``skp demo --size tiny|small|median|large --seed N [--reset]`` (:mod:`skp_app.demo.cli`) or
:func:`skp_app.demo.generator.build_demo` fill an empty database with the organisation
(:mod:`~skp_app.demo.structure`), the employees and their accounts
(:mod:`~skp_app.demo.people`, :mod:`~skp_app.demo.names`) and the year's planning: RPJMD and
OPD goals and every SKP with its cascade (:mod:`~skp_app.demo.planning`). Later build stages
plug in with :func:`skp_app.demo.generator.register_stage`.
"""
