dnl SPDX-License-Identifier: BSD-3-Clause
# POS_CHECK_CFLAG(FLAG, ACTION-IF-ACCEPTED)
# Compiles an empty program with FLAG (and -Werror, so that "unknown option"
# warnings count as refusals) and runs ACTION if the compiler accepts it.
AC_DEFUN([POS_CHECK_CFLAG], [
  pos_save_CFLAGS="$CFLAGS"
  CFLAGS="$CFLAGS -Werror $1"
  AC_MSG_CHECKING([whether $CC accepts $1])
  AC_COMPILE_IFELSE([AC_LANG_PROGRAM([], [])],
    [AC_MSG_RESULT([yes]); $2], [AC_MSG_RESULT([no])])
  CFLAGS="$pos_save_CFLAGS"
])

# POS_CHECK_LDFLAG(FLAG, ACTION-IF-ACCEPTED)
AC_DEFUN([POS_CHECK_LDFLAG], [
  pos_save_LDFLAGS="$LDFLAGS"
  LDFLAGS="$LDFLAGS $1"
  AC_MSG_CHECKING([whether the linker accepts $1])
  AC_LINK_IFELSE([AC_LANG_PROGRAM([], [])],
    [AC_MSG_RESULT([yes]); $2], [AC_MSG_RESULT([no])])
  LDFLAGS="$pos_save_LDFLAGS"
])
