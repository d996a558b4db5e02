# Types for the compiled build of pofile.py (see setup.py); the .py is the source.
cimport cython


cpdef str escape(str text)

@cython.locals(escaped=str, first=str, lines=list, room=Py_ssize_t, piece=str, current=str,
               width=Py_ssize_t, chunk=str, chunk_width=Py_ssize_t, pieces=list)
cpdef list string_lines(str keyword, str text, str prefix=*)

@cython.locals(pieces=list, last=str)
cpdef list after_newlines(str text)

@cython.locals(lines=list, cut=Py_ssize_t, start=Py_ssize_t, length=Py_ssize_t)
cpdef list wrap_narrow(str text, Py_ssize_t room)

@cython.locals(before=Py_UCS4, after=Py_UCS4)
cpdef bint is_break(str text, Py_ssize_t start, Py_ssize_t index) except -1

@cython.locals(index=Py_ssize_t, before=Py_UCS4)
cpdef Py_ssize_t last_break(str text, Py_ssize_t start, Py_ssize_t limit) except -2

@cython.locals(index=Py_ssize_t)
cpdef Py_ssize_t first_break(str text, Py_ssize_t start, Py_ssize_t limit) except -2

cpdef list comment_lines(str marker, str text)

@cython.locals(lines=list, current=str, item=str)
cpdef list reference_lines(occurrences)

@cython.locals(prefix=str, lines=list, flags=object)
cpdef list entry_lines(entry)

@cython.locals(length=Py_ssize_t, position=Py_ssize_t, line_number=Py_ssize_t,
               end=Py_ssize_t, first_line=Py_ssize_t, entries=list, flags=list)
cpdef read_plain_entries(str text)

@cython.locals(end=Py_ssize_t)
cpdef Py_ssize_t line_end(str text, Py_ssize_t position) except -1

@cython.locals(length=Py_ssize_t, end=Py_ssize_t, pieces=list, raw=str)
cpdef tuple plain_field(str text, Py_ssize_t position, Py_ssize_t skip, Py_ssize_t line_number)

@cython.locals(close=Py_ssize_t, body=str, unpaired=str)
cpdef str plain_body(str text, Py_ssize_t start, Py_ssize_t end)

