/* xml.h - the one way the core reads XML from the network: a hardened parse and the
 * few steps every reader of AWS's answers takes (a named child, an element's text). */
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

#endif
