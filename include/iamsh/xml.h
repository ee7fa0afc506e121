/* xml.h - the one way the core reads XML from the network: a hardened parse, as a
 * tree (small documents: error answers) or as a stream of events (answers of any
 * size), and the few steps every reader of a tree takes (a named child, a text). */
#ifndef IAMSH_XML_H
#define IAMSH_XML_H
#include <stddef.h>
#include <libxml/tree.h>

/* Parse an AWS response body safely: no network access, no entity substitution,
 * no DTD loading, a document carrying a DTD refused (AWS never sends one), no
 * output on stderr from libxml2, at most max bytes. NULL when the text is not
 * such a document; the caller frees the result with xmlFreeDoc. */
xmlDoc *xml_read(const char *text, size_t len, size_t max);
/* 1 if n is an element named name (local name; namespaces are not compared). */
int xml_is(const xmlNode *n, const char *name);
/* The first child element of parent named name; NULL if none (parent may be NULL). */
xmlNode *xml_child(const xmlNode *parent, const char *name);
/* The text of an element: borrowed when it is a single text or CDATA node, else a
 * copy left in *owned for the caller to xmlFree (NULL when borrowed). Never NULL. */
const char *xml_text(const xmlNode *el, xmlChar **owned);

/* What xml_parse hands on, in document order. A callback returning nonzero stops
 * the parse (xml_parse then returns -1). */
typedef struct xml_sax {
    /* name: as xml_read's tree names the element (xml_is): the local name, or
     * "prefix:name" when the prefix is not declared */
    int (*start)(void *user, const char *name);
    int (*end)(void *user, const char *name);
    /* Character data inside the root element, text and CDATA alike, in pieces. */
    int (*text)(void *user, const char *text, size_t len);
    void *user;
} xml_sax;

/* Read text as xml_read does - the same parser, options, refusals and limits,
 * including the tree builder's own (a text node over 10,000,000 bytes) - but hand
 * each element and piece of text to h instead of building a tree, so memory is the
 * caller's. 0 when xml_read would have returned a document, else -1 (the events
 * already handed on are then not a document). */
int xml_parse(const char *text, size_t len, size_t max, const xml_sax *h);

#endif
