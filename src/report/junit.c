/* junit.c: junit.xml for CI systems that show test results (GitLab, Jenkins,
 * GitHub actions that read JUnit): one test case per --fail-on gate, with a
 * <failure> carrying the reason for each gate that failed. Written with
 * libxml2's text writer, which escapes attribute values and text, so no
 * function name in a reason can break the XML. */
#include "report.h"

#include <libxml/xmlwriter.h>
#include <string.h>

#include "../escape/escape.h"

static const xmlChar *S_clean(pd_buf *b, const char *s) {
  pd_buf_truncate(b, 0);
  pd_xml_clean(b, s, strlen(s));
  if (!b->data) pd_buf_puts(b, "");
  return (const xmlChar *)b->data;
}

int pd_report_junit(pd_buf *out, const pd_series *s, const pd_report_config *c, pd_err *err) {
  const pd_gate *gates = c->gates;
  size_t n = c->ngates;
  xmlBufferPtr xb = xmlBufferCreate();
  xmlTextWriterPtr w = xb ? xmlNewTextWriterMemory(xb, 0) : NULL;
  if (!w) {
    if (xb) xmlBufferFree(xb);
    return pd_fail(err, "junit.xml: cannot create an XML writer");
  }
  size_t failed = 0;
  for (size_t i = 0; i < n; i++) failed += gates[i].failed != 0;
  pd_buf tmp = PD_BUF_INIT;
  char num[32];
  int rc = 0;
  xmlTextWriterSetIndent(w, 1);
  rc |= xmlTextWriterStartDocument(w, "1.0", "UTF-8", NULL) < 0;
  rc |= xmlTextWriterStartElement(w, BAD_CAST "testsuites") < 0;
  rc |= xmlTextWriterStartElement(w, BAD_CAST "testsuite") < 0;
  rc |= xmlTextWriterWriteAttribute(w, BAD_CAST "name", BAD_CAST "profdiff gates") < 0;
  snprintf(num, sizeof num, "%zu", n);
  rc |= xmlTextWriterWriteAttribute(w, BAD_CAST "tests", BAD_CAST num) < 0;
  snprintf(num, sizeof num, "%zu", failed);
  rc |= xmlTextWriterWriteAttribute(w, BAD_CAST "failures", BAD_CAST num) < 0;
  rc |= xmlTextWriterWriteAttribute(w, BAD_CAST "errors", BAD_CAST "0") < 0;
  for (size_t i = 0; i < n; i++) {
    const pd_gate *g = &gates[i];
    rc |= xmlTextWriterStartElement(w, BAD_CAST "testcase") < 0;
    rc |= xmlTextWriterWriteAttribute(w, BAD_CAST "classname", BAD_CAST "profdiff.fail-on") < 0;
    rc |= xmlTextWriterWriteAttribute(w, BAD_CAST "name", S_clean(&tmp, g->expr)) < 0;
    if (g->failed) {
      rc |= xmlTextWriterStartElement(w, BAD_CAST "failure") < 0;
      rc |= xmlTextWriterWriteAttribute(w, BAD_CAST "message", S_clean(&tmp, g->detail)) < 0;
      rc |= xmlTextWriterWriteAttribute(w, BAD_CAST "type", BAD_CAST "regression") < 0;
      pd_buf text = PD_BUF_INIT;
      pd_buf_printf(&text, "gate %s failed: %s (sample type %s, %u snapshots)", g->expr, g->detail,
                    s->snap[s->order[0]].sample_type, s->npos);
      rc |= xmlTextWriterWriteString(w, S_clean(&tmp, text.data)) < 0;
      pd_buf_free(&text);
      rc |= xmlTextWriterEndElement(w) < 0;
    } else {
      rc |= xmlTextWriterStartElement(w, BAD_CAST "system-out") < 0;
      rc |= xmlTextWriterWriteString(w, S_clean(&tmp, g->detail)) < 0;
      rc |= xmlTextWriterEndElement(w) < 0;
    }
    rc |= xmlTextWriterEndElement(w) < 0;
  }
  rc |= xmlTextWriterEndDocument(w) < 0;
  xmlFreeTextWriter(w);
  pd_buf_free(&tmp);
  if (!rc) pd_buf_put(out, xmlBufferContent(xb), (size_t)xmlBufferLength(xb));
  xmlBufferFree(xb);
  return rc ? pd_fail(err, "junit.xml: the XML writer failed") : PD_OK;
}
