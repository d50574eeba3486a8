# What `cmake --install` puts under <prefix>, and the Debian package CPack makes of it
# (`cpack -G DEB` in the build directory; see README "Install").
#
#   bin/pgsim, bin/pgsim-gui                 (cli/, gui/ CMakeLists)
#   share/pgsim/examples/  isa variants, guests, the guest OS (the whole directory)
#   share/pgsim/lessons/   lessons, their programs, exercises, solutions and anything else
#                          added there (the whole directory, so new files are installed too)
#   share/pgsim/vmm/monitors/   the monitors (pgvmm.s, the reference VMM, and the others)
#   share/doc/pgsim/                         README.md, docs/
#   share/applications/pgsim.desktop, share/icons/hicolor/scalable/apps/pgsim.svg (with the GUI)
#
# share/pgsim mirrors the source tree's layout because lessons name their files relative to it
# (examples/isa/pg1.isa, vmm/monitors/pgvmm.s). bin/ and share/ must stay siblings: pgsim looks for
# <exe>/../share/pgsim (vmm/data_files.hpp), so the directories are not configurable.

set(PGSIM_DATA_EXCLUDES PATTERN "*.autosave" EXCLUDE PATTERN "*~" EXCLUDE PATTERN ".*" EXCLUDE)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/examples ${PROJECT_SOURCE_DIR}/lessons
        DESTINATION share/pgsim ${PGSIM_DATA_EXCLUDES})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/vmm/monitors DESTINATION share/pgsim/vmm ${PGSIM_DATA_EXCLUDES})
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION share/doc/pgsim)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION share/doc/pgsim ${PGSIM_DATA_EXCLUDES})
if(TARGET pgsim-gui)
  install(FILES ${PROJECT_SOURCE_DIR}/packaging/pgsim.desktop DESTINATION share/applications)
  install(FILES ${PROJECT_SOURCE_DIR}/packaging/pgsim.svg DESTINATION share/icons/hicolor/scalable/apps)
endif()

# The Debian package (Debian 12): `cpack -G DEB` → pgsim_<version>_<arch>.deb, installed with
# `apt install ./pgsim_<version>_<arch>.deb`, which pulls the runtime libraries that
# dpkg-shlibdeps (package dpkg-dev) finds the binaries linked against (libfmt9, Qt 6, …).
set(CPACK_PACKAGE_NAME pgsim)
set(CPACK_PACKAGE_VENDOR "pgsim maintainers")
set(CPACK_PACKAGE_CONTACT "pgsim maintainers <maintainers@users.noreply.h-seed-e2ac1f5c.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "Popek-Goldberg machine simulator with recursive trap-and-emulate VMMs, for teaching")
set(CPACK_PACKAGE_DESCRIPTION
    "pgsim simulates PG-1, a third-generation machine in the sense of Popek and Goldberg (1974),\n\
and a trap-and-emulate virtual machine monitor that runs under itself to any depth. It shows\n\
which instructions are sensitive and privileged, why a VMM exists exactly when the theorems say\n\
so, and what each nested trap costs: a command line (pgsim), a Qt 6 window (pgsim-gui) and ten\n\
guided lessons with exercises, their solutions and the instructors' notes.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION education)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
find_program(PGSIM_DPKG_SHLIBDEPS dpkg-shlibdeps)
if(PGSIM_DPKG_SHLIBDEPS)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
else()
  # Without dpkg-dev the dependencies are Debian 12's runtime libraries, named here.
  set(PGSIM_DEB_DEPENDS "libc6 (>= 2.34), libstdc++6 (>= 12), libgcc-s1 (>= 3.0), libfmt9 (>= 9.1.0), libz3-4 (>= 4.8.12)")
  if(TARGET pgsim-gui)
    string(APPEND PGSIM_DEB_DEPENDS ", libqt6core6 (>= 6.4.2), libqt6gui6 (>= 6.4.2), libqt6widgets6 (>= 6.4.2), libqt6charts6 (>= 6.4.2)")
  endif()
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "${PGSIM_DEB_DEPENDS}")
endif()
if(TARGET pgsim-gui)
  # The editor's monospace font is loaded at run time, not linked: recommend it.
  set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "fonts-dejavu-core")
endif()
set(CPACK_GENERATOR DEB)
include(CPack)
