# Runs `pgsim lesson run LESSON --answer ANSWER` and passes only when it FAILS (exit 1) with a
# message matching EXPECT (the `expect:` line in the wrong answer's header): each exercise must
# reject its plausible wrong answers, and say what was expected and what happened.
# cmake -DPGSIM=… -DLESSON=N -DANSWER=file -DEXPECT=regex [-DFORBID=regex] -P lesson_wrong.cmake
execute_process(COMMAND ${PGSIM} lesson run ${LESSON} --answer ${ANSWER}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
set(all "${out}${err}")
if(NOT rc EQUAL 1)
  message(FATAL_ERROR "the wrong answer ${ANSWER} was not rejected (exit ${rc}, expected 1):\n${all}")
endif()
if(NOT all MATCHES "${EXPECT}")
  message(FATAL_ERROR "the rejection of ${ANSWER} does not say what it should (/${EXPECT}/):\n${all}")
endif()
if(DEFINED FORBID AND NOT FORBID STREQUAL "" AND all MATCHES "${FORBID}")
  message(FATAL_ERROR "the rejection of ${ANSWER} gives the answer away (/${FORBID}/):\n${all}")
endif()
message(STATUS "rejected as it should be:\n${err}")
