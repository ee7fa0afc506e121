/* xml.c - reading AWS's XML answers: libxml2 with everything that could reach out
 * (network, entities, DTDs) off, as a tree or as SAX2 events, and the walk every
 * reader of a tree needs. */
#include "iamsh/xml.h"

#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "iamsh/array.h"

#define XML_OPTIONS (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA)

/* libxml2 reports some errors (encoding conversion) through its global handler
 * even with XML_PARSE_NOERROR: silence it once, for the whole process. */
static void xml_silent(void *ctx, const char *msg, ...)
{
    (void)ctx, (void)msg;
}

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void xml_init(void)
{
    xmlInitParser();
    xmlSetGenericErrorFunc(NULL, xml_silent);
}

xmlDoc *xml_read(const char *text, size_t len, size_t max)
{
    if (!text || len == 0 || len > max || len > INT_MAX)
        return NULL;
    pthread_once(&xml_once, xml_init);
    xmlDoc *doc = xmlReadMemory(text, (int)len, NULL, NULL, XML_OPTIONS);
    if (doc && (doc->intSubset || doc->extSubset)) {
        xmlFreeDoc(doc);
        return NULL;
    }
    return doc;
}

int xml_is(const xmlNode *n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

xmlNode *xml_child(const xmlNode *parent, const char *name)
{
    for (xmlNode *c = parent ? parent->children : NULL; c; c = c->next)
        if (xml_is(c, name))
            return c;
    return NULL;
}

const char *xml_text(const xmlNode *el, xmlChar **owned)
{
    *owned = NULL;
    xmlNode *c = el ? el->children : NULL;
    if (!c)
        return "";
    if (!c->next && (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE))
        return c->content ? (const char *)c->content : "";
    *owned = xmlNodeGetContent(el);
    return *owned ? (const char *)*owned : "";
}

/* ---- events ---- */

/* One xml_parse: the caller's callbacks, the open elements' names, and what
 * xml_read's tree builder (libxml2's SAX2 handler) would have done differently
 * from a plain SAX reader. That builder names an element with an undeclared prefix
 * "prefix:name", and it stops at a text node that would grow past
 * XML_MAX_TEXT_LENGTH - a run of character data with no element, comment or
 * processing instruction between - the way it stops when out of memory: no more
 * events, the document not marked malformed, so libxml2 may still accept it and
 * the tree holds what was read up to there. Both are done here the same way. */
typedef struct sax_run {
    const xml_sax *h;
    const xmlChar **open; /* names of the open elements (libxml2's dictionary) */
    size_t depth, cap;
    size_t text_run; /* bytes in the current run, when in_run */
    int in_run;
    int refused; /* a DTD, or a callback said stop */
} sax_run;

static sax_run *run_of(void *ctx)
{
    return ((xmlParserCtxt *)ctx)->_private;
}

static void refuse(void *ctx)
{
    run_of(ctx)->refused = 1;
    xmlStopParser(ctx);
}

/* What the tree builder does on a text node too long (xmlSAX2ErrMemory). */
static void halt_like_tree(xmlParserCtxt *ctxt)
{
    ctxt->errNo = XML_ERR_NO_MEMORY;
    ctxt->instate = XML_PARSER_EOF;
    ctxt->disableSAX = 1;
}

static void sax_start(void *ctx, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri,
                      int nns, const xmlChar **ns, int natt, int ndef, const xmlChar **att)
{
    (void)nns, (void)ns, (void)natt, (void)ndef, (void)att;
    xmlParserCtxt *ctxt = ctx;
    sax_run *r = run_of(ctx);
    const xmlChar *name = local, *q;
    if (prefix && !uri && (q = xmlDictQLookup(ctxt->dict, prefix, local)))
        name = q;
    const xmlChar **p = array_grow(r->open, &r->cap, r->depth, sizeof *p, 32);
    if (!p) {
        refuse(ctx);
        return;
    }
    r->open = p;
    r->open[r->depth++] = name;
    r->in_run = 0;
    if (r->h->start(r->h->user, (const char *)name))
        refuse(ctx);
}

static void sax_end(void *ctx, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri)
{
    (void)local, (void)prefix, (void)uri;
    sax_run *r = run_of(ctx);
    r->in_run = 0;
    if (r->h->end(r->h->user, (const char *)r->open[--r->depth]))
        refuse(ctx);
}

static void sax_text(void *ctx, const xmlChar *text, int len)
{
    sax_run *r = run_of(ctx);
    if (r->in_run && r->text_run + (size_t)len > XML_MAX_TEXT_LENGTH) {
        halt_like_tree(ctx);
        return;
    }
    r->text_run = r->in_run ? r->text_run + (size_t)len : (size_t)len;
    r->in_run = 1;
    if (r->h->text(r->h->user, (const char *)text, (size_t)len))
        refuse(ctx);
}

/* A comment or processing instruction ends a text node in the tree. */
static void sax_comment(void *ctx, const xmlChar *value)
{
    (void)value;
    run_of(ctx)->in_run = 0;
}

static void sax_pi(void *ctx, const xmlChar *target, const xmlChar *data)
{
    (void)target, (void)data;
    run_of(ctx)->in_run = 0;
}

/* AWS never sends a DTD: refused as soon as one starts, before any of it is read. */
static void sax_dtd(void *ctx, const xmlChar *name, const xmlChar *eid, const xmlChar *sid)
{
    (void)name, (void)eid, (void)sid;
    refuse(ctx);
}

static void sax_silent(void *ctx, xmlErrorPtr e)
{
    (void)ctx, (void)e;
}

static void sax_init(xmlSAXHandler *sax)
{
    memset(sax, 0, sizeof *sax);
    sax->initialized = XML_SAX2_MAGIC;
    sax->startElementNs = sax_start;
    sax->endElementNs = sax_end;
    sax->characters = sax_text;
    sax->ignorableWhitespace = sax_text; /* as the tree builder: blanks are text too */
    sax->cdataBlock = sax_text;          /* XML_PARSE_NOCDATA sends CDATA to characters anyway */
    sax->comment = sax_comment;
    sax->processingInstruction = sax_pi;
    sax->internalSubset = sax_dtd;
    sax->getEntity = xmlSAX2GetEntity; /* predefined entities only: there is no DTD */
    sax->serror = sax_silent;
}

/* A document accepted after the tree builder's stop: its open elements end where
 * the tree ended them. */
static int end_open(sax_run *r)
{
    while (r->depth)
        if (r->h->end(r->h->user, (const char *)r->open[--r->depth]))
            return -1;
    return 0;
}

int xml_parse(const char *text, size_t len, size_t max, const xml_sax *h)
{
    if (!text || len == 0 || len > max || len > INT_MAX)
        return -1;
    pthread_once(&xml_once, xml_init);
    /* xmlReadMemory's own steps, with our handler in place of the tree builder. */
    xmlParserCtxt *ctxt = xmlCreateMemoryParserCtxt(text, (int)len);
    if (!ctxt)
        return -1;
    xmlSAXHandler sax, *own = ctxt->sax;
    sax_init(&sax);
    sax_run run = {.h = h};
    ctxt->sax = &sax;
    ctxt->_private = &run;
    xmlCtxtUseOptions(ctxt, XML_OPTIONS);
    xmlParseDocument(ctxt);
    int ok = ctxt->wellFormed && !run.refused && end_open(&run) == 0;
    ctxt->sax = own;
    xmlFreeDoc(ctxt->myDoc);
    ctxt->myDoc = NULL;
    xmlFreeParserCtxt(ctxt); /* after end_open: the names are in its dictionary */
    free(run.open);
    return ok ? 0 : -1;
}
