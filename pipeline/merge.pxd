# Types for the compiled build of merge.py (see setup.py); the .py is the source.
cimport cython


cdef class Renderer:
    cdef public str source
    cdef public object translate, values, report, memo, validate, words

    @cython.locals(out=list)
    cpdef str render(self, parts)
    @cython.locals(part=object)
    cpdef render_into(self, parts, list out)
    cpdef str tel_href(self, Py_ssize_t start, Py_ssize_t end)
    @cython.locals(memo=dict, text=str)
    cpdef str segment(self, segment)
    @cython.locals(words=Py_ssize_t, source=str, problem=object, text=str)
    cpdef tuple render_segment(self, segment)
    @cython.locals(counted=object)
    cpdef Py_ssize_t words_of(self, segment) except -1
    cpdef bint keeps_source(self, segment) except -1
    cpdef str mark_fallback(self, str text, segment)
    cpdef str source_text(self, segment)
    @cython.locals(out=list, position=Py_ssize_t, start=Py_ssize_t, end=Py_ssize_t)
    cpdef str apply_slots(self, str text, Py_ssize_t offset, tuple slots)
    cpdef str slot_value(self, slot)
    @cython.locals(tags=dict, variables=dict, out=list)
    cpdef str tokens(self, list tokens, segment)


cpdef bint is_region_free(segment) except -1

@cython.locals(parts=list, position=Py_ssize_t, slot_begin=Py_ssize_t, index=Py_ssize_t,
               start=Py_ssize_t, end=Py_ssize_t)
cpdef tuple compile_parts(str source, list slots, Py_ssize_t index, Py_ssize_t start,
                          Py_ssize_t end)
