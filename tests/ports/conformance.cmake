# The conformance suite (conformance.h) on the simulator in each driver's
# shape; each family's file runs it on its driver and model.
fk_add_test(port_conformance_sim SOURCES
	${CMAKE_CURRENT_LIST_DIR}/test_conformance_sim.c LIBS uc_harness
	LABELS port)
