# Fails when a Catch test case's name contains ';': catch_discover_tests (Catch2 2.13) splits such
# a name into two ctest entries whose filters match no test case, and Catch passes a filter that
# matches nothing -- the test would never run and never fail.
# cmake -DTESTS=path/to/pgsim_tests -P test_names.cmake
execute_process(COMMAND ${TESTS} --list-test-names-only RESULT_VARIABLE rc OUTPUT_VARIABLE names)
if(names STREQUAL "")
  message(FATAL_ERROR "${TESTS} --list-test-names-only listed nothing (exit ${rc})")
endif()
string(REPLACE ";" "<SEMICOLON>" names "${names}")
string(REPLACE "\n" ";" lines "${names}")
set(bad "")
foreach(l ${lines})
  if(l MATCHES "<SEMICOLON>")
    string(REPLACE "<SEMICOLON>" ";" l "${l}")
    string(APPEND bad "  ${l}\n")
  endif()
endforeach()
if(bad)
  message(FATAL_ERROR "test case names with ';' (ctest would run none of them; write ' -- ' instead):\n${bad}")
endif()
