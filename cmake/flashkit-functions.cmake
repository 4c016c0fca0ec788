# CMake functions for firmware projects that use flashkit: shipped in the
# installed package (find_package(flashkit) includes this file) and usable
# from any CMake project that sets FLASHKIT_EXECUTABLE to a `flashkit`
# command. Everything here runs the command at build time; nothing but
# the layout's file list is read at configure time.
#
#   flashkit_layout(<layout.yaml> [NAME <name>] [OUTPUT_DIR <dir>]
#       [TARGET <executable> IMAGE <image> [SLOT <slot>] | MODULE <module>])
#     `flashkit layout gen` into OUTPUT_DIR (default
#     ${CMAKE_CURRENT_BINARY_DIR}/<name>.gen, NAME default: the layout's
#     file name without extension) at build time, again whenever the
#     layout or the command changes (target <name>_gen). With TARGET, the
#     executable includes OUTPUT_DIR (flash_layout.h), links with the
#     image's linker script (<image>.ld; <image>-<slot>.ld for an xip image,
#     SLOT default: its primary; module-<module>.ld for a module) and
#     relinks when it changes. Calling it again for the same layout only
#     links the next target. The layout is checked at configure time too,
#     so a broken layout stops cmake with flashkit's FILE:LINE:COL error.
#
#   flashkit_image(<executable> [KEY <key.pem>] [VERSION <x.y.z>]
#       [OUTPUT <file>] [LAYOUT <layout.yaml>] [IMAGE <image>]
#       [NAME <target>] [ARGS <more image sign options>...])
#     After each link of <executable>: `flashkit image sign --layout
#     --image --pad-header` (header size, slot size, alignment, erased
#     value and the largest payload from the layout; an ELF that does not
#     fit, or was linked for another image, fails the build). LAYOUT and
#     IMAGE default to flashkit_layout's for the executable; OUTPUT to
#     <executable>.signed.hex in the current binary folder (.hex/.s19:
#     addressed for its slot; else binary); without KEY the image carries
#     a SHA-256 digest only. Target NAME (default <executable>_image, ALL).
#
#   flashkit_settings(<name> <settings.yaml> [PARTITION <storage>]
#       [LAYOUT <layout.yaml>] [SCHEMA <schema.yaml>] [OUTPUT <file>])
#     `flashkit kv build`: the settings store image of the partition
#     (PARTITION default: settings) holding the file's values, rebuilt when
#     the file, the schema or the layout changes. OUTPUT default:
#     <name>.bin. Target <name> (ALL).
#
#   flashkit_factory(<name> INPUTS <input>@<where>... [LAYOUT <layout.yaml>]
#       [OUTPUT <file>] [ARGS <more merge options>...])
#     `flashkit merge --layout`: one production file per memory, named
#     after OUTPUT (default <name>.hex) with -<memory> before the
#     extension (factory-flash.hex), the names the layout's program.cfg
#     programs. Each input says where it goes (a partition, which merge
#     checks it lies in, or an address). An input is a file (relative to
#     the current source folder)
#     or a target: a flashkit_image or flashkit_settings target, or an
#     executable given to flashkit_image (its signed image) or not (its
#     ELF, as linked: a plain app). Merged again when any input changes.
#     Target <name> (ALL); its FLASHKIT_FILES property lists the files.
#
# LAYOUT may be left out when the project declared one layout with
# flashkit_layout (the first is the default). The targets these functions
# make carry FLASHKIT_FILE (their output) for the others to find.
include_guard(GLOBAL)
cmake_minimum_required(VERSION 3.20)

if(NOT FLASHKIT_EXECUTABLE)
	message(FATAL_ERROR "flashkit-functions.cmake: FLASHKIT_EXECUTABLE is "
		"not set (find_package(flashkit) sets it)")
endif()

function(flashkit_layout layout)
	cmake_parse_arguments(X "" "NAME;OUTPUT_DIR;TARGET;IMAGE;SLOT;MODULE"
		"" ${ARGN})
	get_filename_component(layout "${layout}" ABSOLUTE)
	_flashkit_layout_gen("${layout}" "${X_NAME}" "${X_OUTPUT_DIR}" dir)
	if(X_TARGET)
		_flashkit_layout_link("${layout}" "${dir}" "${X_TARGET}"
			"${X_IMAGE}" "${X_SLOT}" "${X_MODULE}")
	elseif(X_IMAGE OR X_MODULE)
		message(FATAL_ERROR "flashkit_layout(${layout}): IMAGE and "
			"MODULE need TARGET <executable>")
	endif()
endfunction()

# The build-time generation of LAYOUT, made once per layout; DIR_VAR gets
# its folder. The file list comes from a configure-time gen into a probe
# folder (cmake re-runs when the layout changes, so a renamed image is a
# renamed output).
function(_flashkit_layout_gen layout name out_dir dir_var)
	get_property(dir GLOBAL PROPERTY "FLASHKIT_GEN_DIR:${layout}")
	if(dir)
		set(${dir_var} "${dir}" PARENT_SCOPE)
		return()
	endif()
	if(NOT name)
		get_filename_component(name "${layout}" NAME_WE)
	endif()
	if(TARGET ${name}_gen)
		message(FATAL_ERROR "flashkit_layout(${layout}): another layout "
			"already made target ${name}_gen; give this one a NAME")
	endif()
	if(NOT out_dir)
		set(out_dir "${CMAKE_CURRENT_BINARY_DIR}/${name}.gen")
	endif()
	get_filename_component(out_dir "${out_dir}" ABSOLUTE
		BASE_DIR "${CMAKE_CURRENT_BINARY_DIR}")
	set(probe "${CMAKE_CURRENT_BINARY_DIR}/CMakeFiles/${name}.gen-probe")
	execute_process(COMMAND "${FLASHKIT_EXECUTABLE}" layout gen
			"${layout}" -o "${probe}"
		RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_QUIET)
	if(NOT rc EQUAL 0)
		message(FATAL_ERROR "flashkit_layout: ${err}")
	endif()
	set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
		"${layout}")
	file(STRINGS "${probe}/.flashkit-gen" names)
	list(TRANSFORM names PREPEND "${out_dir}/" OUTPUT_VARIABLE outputs)
	add_custom_command(OUTPUT ${outputs}
		COMMAND "${FLASHKIT_EXECUTABLE}" layout gen "${layout}"
			-o "${out_dir}"
		DEPENDS "${layout}" "${FLASHKIT_EXECUTABLE}"
		COMMENT "flashkit layout gen ${name}"
		VERBATIM)
	add_custom_target(${name}_gen DEPENDS ${outputs})
	set_property(GLOBAL PROPERTY "FLASHKIT_GEN_DIR:${layout}" "${out_dir}")
	set_property(GLOBAL PROPERTY "FLASHKIT_GEN_TARGET:${layout}" ${name}_gen)
	set_property(GLOBAL PROPERTY "FLASHKIT_GEN_JSON:${layout}"
		"${probe}/layout.json")
	get_property(first GLOBAL PROPERTY FLASHKIT_DEFAULT_LAYOUT)
	if(NOT first)
		set_property(GLOBAL PROPERTY FLASHKIT_DEFAULT_LAYOUT "${layout}")
	endif()
	set(${dir_var} "${out_dir}" PARENT_SCOPE)
endfunction()

# Links TARGET with the linker script of IMAGE (SLOT) or MODULE.
function(_flashkit_layout_link layout dir target image slot module)
	get_property(json_file GLOBAL PROPERTY "FLASHKIT_GEN_JSON:${layout}")
	get_property(gen_target GLOBAL PROPERTY "FLASHKIT_GEN_TARGET:${layout}")
	file(READ "${json_file}" json)
	if(module)
		set(script "module-${module}.ld")
	elseif(image)
		_flashkit_json_image("${json}" "${image}" "${layout}" strategy
			primary)
		set(script "${image}.ld")
		if(strategy STREQUAL "xip")
			if(NOT slot)
				set(slot "${primary}")
			endif()
			set(script "${image}-${slot}.ld")
		endif()
	else()
		message(FATAL_ERROR "flashkit_layout(TARGET ${target}): say "
			"which IMAGE (or MODULE) of ${layout} it is")
	endif()
	get_filename_component(probe "${json_file}" DIRECTORY)
	if(NOT EXISTS "${probe}/${script}")
		message(FATAL_ERROR "flashkit_layout(TARGET ${target}): ${layout} "
			"makes no ${script}")
	endif()
	target_include_directories(${target} PRIVATE "${dir}")
	target_link_options(${target} PRIVATE "-T${dir}/${script}")
	set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS
		"${dir}/${script}")
	add_dependencies(${target} ${gen_target})
	set_target_properties(${target} PROPERTIES FLASHKIT_LAYOUT "${layout}"
		FLASHKIT_IMAGE "${image}")
endfunction()

# STRATEGY_VAR and PRIMARY_VAR of IMAGE in layout.json, or a fatal error
# naming the images there are.
function(_flashkit_json_image json image layout strategy_var primary_var)
	string(JSON n LENGTH "${json}" images)
	set(names)
	if(n GREATER 0)
		math(EXPR last "${n} - 1")
		foreach(i RANGE ${last})
			string(JSON name GET "${json}" images ${i} name)
			if(name STREQUAL image)
				string(JSON s GET "${json}" images ${i} strategy)
				string(JSON p GET "${json}" images ${i} primary)
				set(${strategy_var} "${s}" PARENT_SCOPE)
				set(${primary_var} "${p}" PARENT_SCOPE)
				return()
			endif()
			list(APPEND names "${name}")
		endforeach()
	endif()
	list(JOIN names ", " names)
	message(FATAL_ERROR "flashkit: ${layout} has no image '${image}' "
		"(its images: ${names})")
endfunction()

# LAYOUT_VAR: the given layout made absolute, else the default one.
function(_flashkit_default_layout layout_var who)
	set(layout "${${layout_var}}")
	if(layout)
		get_filename_component(layout "${layout}" ABSOLUTE)
	else()
		get_property(layout GLOBAL PROPERTY FLASHKIT_DEFAULT_LAYOUT)
		if(NOT layout)
			message(FATAL_ERROR "${who}: no LAYOUT, and no "
				"flashkit_layout() before it")
		endif()
	endif()
	set(${layout_var} "${layout}" PARENT_SCOPE)
endfunction()

function(flashkit_image target)
	cmake_parse_arguments(X "" "KEY;VERSION;OUTPUT;LAYOUT;IMAGE;NAME"
		"ARGS" ${ARGN})
	if(NOT X_LAYOUT)
		get_target_property(X_LAYOUT ${target} FLASHKIT_LAYOUT)
		if(NOT X_LAYOUT)
			set(X_LAYOUT)
		endif()
	endif()
	_flashkit_default_layout(X_LAYOUT "flashkit_image(${target})")
	if(NOT X_IMAGE)
		get_target_property(X_IMAGE ${target} FLASHKIT_IMAGE)
		if(NOT X_IMAGE)
			message(FATAL_ERROR "flashkit_image(${target}): no IMAGE, "
				"and flashkit_layout() did not link it for one")
		endif()
	endif()
	if(NOT X_NAME)
		set(X_NAME ${target}_image)
	endif()
	if(NOT X_OUTPUT)
		set(X_OUTPUT ${target}.signed.hex)
	endif()
	get_filename_component(out "${X_OUTPUT}" ABSOLUTE
		BASE_DIR "${CMAKE_CURRENT_BINARY_DIR}")
	set(opts --layout "${X_LAYOUT}" --image "${X_IMAGE}" --pad-header)
	set(deps "${X_LAYOUT}")
	if(X_KEY)
		get_filename_component(key "${X_KEY}" ABSOLUTE)
		list(APPEND opts -k "${key}")
		list(APPEND deps "${key}")
	endif()
	if(X_VERSION)
		list(APPEND opts -v "${X_VERSION}")
	endif()
	add_custom_command(OUTPUT "${out}"
		COMMAND "${FLASHKIT_EXECUTABLE}" image sign ${opts} ${X_ARGS}
			"$<TARGET_FILE:${target}>" "${out}"
		DEPENDS ${target} ${deps} "${FLASHKIT_EXECUTABLE}"
		COMMENT "flashkit image sign: ${target} as image ${X_IMAGE}"
		VERBATIM)
	add_custom_target(${X_NAME} ALL DEPENDS "${out}")
	set_target_properties(${X_NAME} PROPERTIES FLASHKIT_FILE "${out}")
	set_target_properties(${target} PROPERTIES FLASHKIT_IMAGE_TARGET
		${X_NAME})
endfunction()

function(flashkit_settings name settings)
	cmake_parse_arguments(X "" "PARTITION;LAYOUT;SCHEMA;OUTPUT" "" ${ARGN})
	_flashkit_default_layout(X_LAYOUT "flashkit_settings(${name})")
	if(NOT X_PARTITION)
		set(X_PARTITION settings)
	endif()
	if(NOT X_OUTPUT)
		set(X_OUTPUT ${name}.bin)
	endif()
	get_filename_component(out "${X_OUTPUT}" ABSOLUTE
		BASE_DIR "${CMAKE_CURRENT_BINARY_DIR}")
	get_filename_component(settings "${settings}" ABSOLUTE)
	set(opts --layout "${X_LAYOUT}" --partition "${X_PARTITION}")
	set(deps "${settings}" "${X_LAYOUT}")
	if(X_SCHEMA)
		get_filename_component(schema "${X_SCHEMA}" ABSOLUTE)
		list(APPEND opts --schema "${schema}")
		list(APPEND deps "${schema}")
	endif()
	add_custom_command(OUTPUT "${out}"
		COMMAND "${FLASHKIT_EXECUTABLE}" kv build "${settings}" -o "${out}"
			${opts}
		DEPENDS ${deps} "${FLASHKIT_EXECUTABLE}"
		COMMENT "flashkit kv build: ${name} for partition ${X_PARTITION}"
		VERBATIM)
	add_custom_target(${name} ALL DEPENDS "${out}")
	set_target_properties(${name} PROPERTIES FLASHKIT_FILE "${out}")
endfunction()

function(flashkit_factory name)
	cmake_parse_arguments(X "" "LAYOUT;OUTPUT" "INPUTS;ARGS" ${ARGN})
	_flashkit_default_layout(X_LAYOUT "flashkit_factory(${name})")
	if(NOT X_INPUTS)
		message(FATAL_ERROR "flashkit_factory(${name}): no INPUTS")
	endif()
	if(NOT X_OUTPUT)
		set(X_OUTPUT ${name}.hex)
	endif()
	get_filename_component(out "${X_OUTPUT}" ABSOLUTE
		BASE_DIR "${CMAKE_CURRENT_BINARY_DIR}")
	set(args)
	set(wheres)
	set(deps "${X_LAYOUT}" "${FLASHKIT_EXECUTABLE}")
	foreach(input IN LISTS X_INPUTS)
		if(NOT input MATCHES "^(.+)@([^@]+)$")
			message(FATAL_ERROR "flashkit_factory(${name}): ${input}: "
				"say where it goes (<input>@<partition or address>)")
		endif()
		list(APPEND wheres "${CMAKE_MATCH_2}")
		_flashkit_factory_input("${CMAKE_MATCH_1}" "${CMAKE_MATCH_2}"
			arg dep)
		list(APPEND args "${arg}")
		list(APPEND deps ${dep})
	endforeach()
	_flashkit_factory_outputs("${X_LAYOUT}" "${out}" "${wheres}" outputs)
	add_custom_command(OUTPUT ${outputs}
		COMMAND "${FLASHKIT_EXECUTABLE}" merge --layout "${X_LAYOUT}"
			${args} -o "${out}" ${X_ARGS}
		DEPENDS ${deps}
		COMMENT "flashkit merge: ${name}"
		VERBATIM)
	add_custom_target(${name} ALL DEPENDS ${outputs})
	set_target_properties(${name} PROPERTIES FLASHKIT_FILES "${outputs}")
endfunction()

# One merge input WHAT@AT: ARG_VAR the INPUT@WHERE argument, DEP_VAR what the
# merge depends on (a target, and the file a custom target makes).
function(_flashkit_factory_input what at arg_var dep_var)
	set(where "@${at}")
	if(TARGET ${what})
		get_target_property(signed ${what} FLASHKIT_IMAGE_TARGET)
		if(signed)
			set(what ${signed})
		endif()
		get_target_property(file ${what} FLASHKIT_FILE)
		if(file)
			set(${arg_var} "${file}${where}" PARENT_SCOPE)
			set(${dep_var} ${what} "${file}" PARENT_SCOPE)
			return()
		endif()
		get_target_property(type ${what} TYPE)
		if(NOT type STREQUAL "EXECUTABLE")
			message(FATAL_ERROR "flashkit_factory: target ${what} "
				"makes no file to merge")
		endif()
		set(${arg_var} "$<TARGET_FILE:${what}>${where}" PARENT_SCOPE)
		set(${dep_var} ${what} PARENT_SCOPE)
		return()
	endif()
	get_filename_component(file "${what}" ABSOLUTE)
	set(${arg_var} "${file}${where}" PARENT_SCOPE)
	set(${dep_var} "${file}" PARENT_SCOPE)
endfunction()

# The files `merge --layout LAYOUT -o OUT` writes for inputs going to
# WHERES (partitions or addresses): OUT-<memory>.ext for each memory they
# are in (.bin for a memory without bus addresses), OUT itself for .dfu.
function(_flashkit_factory_outputs layout out wheres outputs_var)
	get_filename_component(ext "${out}" LAST_EXT)
	if(ext STREQUAL ".dfu")
		set(${outputs_var} "${out}" PARENT_SCOPE)
		return()
	endif()
	get_property(json_file GLOBAL PROPERTY "FLASHKIT_GEN_JSON:${layout}")
	if(NOT json_file)
		_flashkit_layout_gen("${layout}" "" "" dir)
		get_property(json_file GLOBAL PROPERTY
			"FLASHKIT_GEN_JSON:${layout}")
	endif()
	file(READ "${json_file}" json)
	get_filename_component(dir "${out}" DIRECTORY)
	get_filename_component(stem "${out}" NAME_WLE)
	set(outputs)
	foreach(where IN LISTS wheres)
		_flashkit_memory_of("${json}" "${where}" mem mapped)
		if(mapped)
			list(APPEND outputs "${dir}/${stem}-${mem}${ext}")
		else()
			list(APPEND outputs "${dir}/${stem}-${mem}.bin")
		endif()
	endforeach()
	list(REMOVE_DUPLICATES outputs)
	set(${outputs_var} "${outputs}" PARENT_SCOPE)
endfunction()

# MEM_VAR: the memory holding WHERE (a partition name or a bus address);
# MAPPED_VAR: whether it has bus addresses. WHERE matching neither is
# left for merge to refuse: it goes to the first memory.
function(_flashkit_memory_of json where mem_var mapped_var)
	string(JSON np LENGTH "${json}" partitions)
	string(JSON nm LENGTH "${json}" memories)
	math(EXPR lastp "${np} - 1")
	math(EXPR lastm "${nm} - 1")
	set(mem "")
	foreach(i RANGE ${lastp})
		string(JSON name GET "${json}" partitions ${i} name)
		if(name STREQUAL where)
			string(JSON mem GET "${json}" partitions ${i} memory)
		endif()
	endforeach()
	set(address "")
	if(NOT mem AND where MATCHES "^(0[xX][0-9a-fA-F]+|[0-9]+)$")
		math(EXPR address "${where}")
	endif()
	foreach(i RANGE ${lastm})
		string(JSON name GET "${json}" memories ${i} name)
		string(JSON mapped GET "${json}" memories ${i} mapped)
		string(JSON base GET "${json}" memories ${i} base)
		string(JSON size GET "${json}" memories ${i} size)
		if(NOT mem AND NOT address STREQUAL "" AND mapped
			AND address GREATER_EQUAL base)
			math(EXPR end "${base} + ${size}")
			if(address LESS end)
				set(mem "${name}")
			endif()
		endif()
		if(name STREQUAL mem)
			set(${mapped_var} ${mapped} PARENT_SCOPE)
		endif()
	endforeach()
	if(NOT mem)
		string(JSON mem GET "${json}" memories 0 name)
		set(${mapped_var} ON PARENT_SCOPE)
	endif()
	set(${mem_var} "${mem}" PARENT_SCOPE)
endfunction()
