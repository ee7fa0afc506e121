/* xml.h - the one way the core parses XML from the network. */
#ifndef IAMSH_XML_H
#define IAMSH_XML_H
#include <stddef.h>
#include <libxml/tree.h>

/* Parse an AWS response body safely: no network access, no entity substitution,
 * no DTD loading, a document carrying a DTD refused (AWS never sends one), no
 * output on stderr from libxml2, at most max bytes. NULL when the text is not
 * such a document; the caller frees the result with xmlFreeDoc. */
xmlDoc *xml_read(const char *text, size_t len, size_t max);

#endif
