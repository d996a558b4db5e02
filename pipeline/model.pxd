# Types for the compiled build of model.py (see setup.py); the .py is the source.
# The slots of a page become C classes: built, read and pickled for every segment of every
# page, they cost a Python __init__ and a descriptor lookup per field as frozen dataclasses.


cdef class AttributeSlot:
    cdef readonly object key
    cdef readonly Py_ssize_t start, end
    cdef readonly str quote


cdef class Tag:
    cdef readonly Py_ssize_t number
    cdef readonly str open, close
    cdef readonly bint self_closing
    cdef readonly Py_ssize_t offset
    cdef readonly tuple attributes


cdef class Variable:
    cdef readonly str name, kind, open, close
    cdef readonly tuple href
    cdef readonly str datetime, source


cdef class Segment:
    cdef readonly str msgid
    cdef readonly object context
    cdef readonly str role
    cdef readonly Py_ssize_t start, end, line
    cdef readonly str kind
    cdef readonly tuple tags, variables
    cdef readonly object note
    cdef readonly bint critical, preserve_space
    cdef readonly str quote
    cdef readonly tuple inner
    cdef readonly bint translatable, text_only_parent


cdef class RegionBlock:
    cdef readonly Py_ssize_t start, end
    cdef readonly tuple parts


cdef class TelHref:
    cdef readonly Py_ssize_t start, end


cdef class Literal:
    cdef readonly Py_ssize_t start, end
    cdef readonly str text


cdef class Skeleton:
    cdef readonly tuple parts
