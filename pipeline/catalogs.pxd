# Types for the compiled build of catalogs.py (see setup.py); the .py is the source.
cimport cython

from pipeline.model cimport Segment


cdef class TemplateEntry:
    cdef public str msgid
    cdef public object msgctxt
    cdef public list occurrences, notes
    cdef public bint is_format, critical
    cdef public str role


@cython.locals(entries=dict, entry=TemplateEntry, segment=Segment, path=str, key=tuple,
               reference=tuple)
cpdef list template_entries(article)
