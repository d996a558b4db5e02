# Types for the compiled build of markup.py (see setup.py); the .py is the source.
cimport cython


@cython.locals(run=str)
cpdef str collapse_whitespace(str text)


cdef class Attribute:
    cdef public str name, value
    cdef public Py_ssize_t value_start, value_end
    cdef public str quote


cdef class Element:
    cdef public str tag
    cdef public Py_ssize_t start, start_tag_end, end, end_tag_start
    cdef public str source, tag_text
    cdef public list children
    cdef public object _attributes

    @cython.locals(attribute=Attribute)
    cpdef object attribute(self, str name)
    cpdef object get(self, str name, default=*)


cdef class Text:
    cdef public Py_ssize_t start, end
    cdef public str source
    cdef public object _text


cdef class Opaque:
    cdef public Py_ssize_t start, end


cdef class Document:
    cdef public str source
    cdef public Element root
    cdef public list problems
    cdef public Py_ssize_t counted_to, lines_before

    cpdef Py_ssize_t line_of(self, Py_ssize_t offset) except -1


@cython.locals(
    root=Element, element=Element, stack=list, problems=list,
    position=Py_ssize_t, length=Py_ssize_t, token_start=Py_ssize_t, token_end=Py_ssize_t,
    index=Py_ssize_t, open_p=Py_ssize_t, name=str, token=tuple,
)
cpdef parse(str source)

@cython.locals(element=Element, closed_p=Py_ssize_t, position_in_stack=Py_ssize_t)
cpdef Py_ssize_t close(list stack, Py_ssize_t index, Py_ssize_t at, Py_ssize_t end_tag_start,
                       list problems) except -1

@cython.locals(index=Py_ssize_t, tag=str)
cpdef Py_ssize_t find_open(list stack, names, boundaries) except -2

@cython.locals(length=Py_ssize_t, name=str)
cpdef Py_ssize_t read_raw_text(Element element, str source, Py_ssize_t position) except -1

cpdef tuple next_token(str source, Py_ssize_t position)

@cython.locals(length=Py_ssize_t, start=Py_ssize_t, after=Py_ssize_t, close=Py_ssize_t,
               name_start=Py_ssize_t, name_end=Py_ssize_t, char=Py_UCS4)
cpdef tuple scan_token(str source, Py_ssize_t position)

@cython.locals(attributes=list, seen=set, body_end=Py_ssize_t, spans=list, span=tuple, name=str,
               raw=str, name_start=Py_ssize_t, name_stop=Py_ssize_t, value_start=Py_ssize_t,
               value_end=Py_ssize_t)
cpdef list parse_attributes(str source, Py_ssize_t tag_end, Py_ssize_t name_end)

@cython.locals(spans=list, char=Py_UCS4, name_start=Py_ssize_t, name_stop=Py_ssize_t,
               value_start=Py_ssize_t, value_end=Py_ssize_t, probe=Py_ssize_t,
               close=Py_ssize_t, quote=str)
cpdef list scan_attributes(str source, Py_ssize_t position, Py_ssize_t end)

@cython.locals(length=Py_ssize_t, char=Py_UCS4)
cpdef Py_ssize_t tag_end(str source, Py_ssize_t position) except -1

@cython.locals(length=Py_ssize_t, probe=Py_ssize_t, close=Py_ssize_t, end=Py_ssize_t,
               quote=Py_UCS4)
cpdef Py_ssize_t value_end(str source, Py_ssize_t position) except -1
