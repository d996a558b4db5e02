# Types for the compiled build of segment.py (see setup.py); the .py is the source.
cimport cython

from pipeline.markup cimport Attribute, Document, Element, Opaque, Text, collapse_whitespace
from pipeline.model cimport AttributeSlot


cdef class Walk:
    cdef public Document document
    cdef public object hotline
    cdef public list slots
    cdef public dict inline_block_cache


cdef class Context:
    cdef readonly bint translate, critical, preserve_space
    cdef readonly object note


cdef class Encoder:
    cdef public Walk walk
    cdef public list parts, text_parts, texts, tags, inner
    cdef public dict variables

    cpdef bint has_letters(self)
    @cython.locals(item=object)
    cpdef encode(self, list items, Context context, bint in_tel_link)
    @cython.locals(text=str, pieces=list)
    cpdef encode_text(self, Text item, bint in_tel_link)
    @cython.locals(source=str, open_tag=str, close_tag=str, slots=list, self_closing=bint)
    cpdef encode_element(self, Element element, Context context, bint in_tel_link)
    @cython.locals(number=Py_ssize_t)
    cpdef Py_ssize_t add_tag(self, str open_tag, str close_tag, bint self_closing,
                             Py_ssize_t offset,
                             list slots) except -1


cpdef Context child_context(Element element, Context context)
cpdef bint may_have_context(str tag_text)
cpdef bint may_have_slots(str tag_text)

@cython.locals(run=list, child=object)
cpdef visit_block(Walk walk, Element element, Context context)

@cython.locals(cached=object, child=object)
cpdef bint is_inline(Walk walk, Element element) except -1

@cython.locals(char=Py_UCS4)
cpdef bint has_letter(str text) except -1

cpdef str role_of(Element element)

@cython.locals(attribute=Attribute, text=str)
cpdef collect_attributes(Walk walk, Element element, Context context, list out)

cpdef bint is_tel_link(Element element) except -1

cpdef Py_ssize_t first_text(str source, Py_ssize_t start, Py_ssize_t end) except -1
cpdef Py_ssize_t last_text_end(str source, Py_ssize_t start, Py_ssize_t end) except -1
@cython.locals(text=Text, element=Element)
cpdef bint is_content(Walk walk, item) except -1

@cython.locals(item=object, text=Text)
cpdef bint is_blank(str source, list run) except -1

@cython.locals(source=str, start=Py_ssize_t, end=Py_ssize_t, items=list, text=Text)
cpdef list trim_run(Walk walk, list run, Context context, list spill)

@cython.locals(spill=list, items=list, in_tel_link=bint, wrapper=Element)
cpdef flush_run(Walk walk, list run, Element container, Context context)

@cython.locals(encoder=Encoder, has_letters=bint, parts=list, msgid=str, index=object)
cpdef build_segment(Walk walk, list items, Element container, Context context,
                    bint in_tel_link)

cpdef str escape_text(str text, bint braces)
cpdef str escape_html(str text)

@cython.locals(count=Py_ssize_t, name_length=Py_ssize_t, in_run=bint, run_counted=bint,
               in_name=bint, name_letter=bint, letter=bint, word=bint, char=Py_UCS4)
cpdef Py_ssize_t count_words(str msgid) except -1


cpdef attribute_role(Element element, str name)
cpdef bint is_hotline_href(Walk walk, str href) except -1
@cython.locals(descendant=Element, href=Attribute)
cpdef collect_tel_hrefs(Walk walk, Element element, list out)
@cython.locals(inner_context=Context)
cpdef collect_inline_slots(Walk walk, node, Context context, list out)
cpdef Py_ssize_t slot_start(slot) except? -1
cpdef bint is_phone_link(Walk walk, Element element) except -1
cpdef tuple attribute_slots(list slots)
cpdef slot_key(slot)

@cython.locals(first_role=dict, ambiguous=set, fixed=list, slot=object, role=str)
cpdef list assign_contexts(list slots)
@cython.locals(changes=dict)
cpdef with_context(segment, set ambiguous, dict role_of_attribute)
@cython.locals(fixed=list)
cpdef tuple fixed_slots(tuple slots, set ambiguous, dict role_of_attribute)
cpdef bint names_ambiguous(AttributeSlot slot, set ambiguous) except -1
