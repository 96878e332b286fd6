/* The dashboard's pages (see pages.h). */
#include "handlers/pages.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "api/reply.h"
#include "domain/labels.h"
#include "embedded.h"
#include "handlers/common.h"
#include "http/response.h"

/* No script or style from anywhere but here, no data sent anywhere but
 * here: what a page that holds an API key should promise. */
#define CSP "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " \
            "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

static const struct embedded_file *web_file(const char *name)
{
	for (size_t i = 0; i < embedded_web_count; i++)
		if (!strcmp(embedded_web[i].name, name))
			return &embedded_web[i];
	return NULL;
}

static void page_headers(struct request *req)
{
	response_header(&req->res, "Content-Security-Policy", CSP);
	response_header(&req->res, "X-Content-Type-Options", "nosniff");
	response_header(&req->res, "Referrer-Policy", "no-referrer");
}

enum http_status handle_root(struct request *req)
{
	response_header(&req->res, "Location", "dashboard/");
	return reply_empty(req, HTTP_FOUND);
}

/* The way back to the service's root from the address asked, as a
 * relative path ("./", "../", "../../"): the page then finds its scripts
 * and the API behind any path prefix (nginx's /thidua/). It counts the
 * slashes of the path as the client wrote it. */
static void relative_root(const struct request *req, struct buf *out)
{
	const char *t = req->target;
	size_t path = strcspn(t, "?#");
	int slashes = 0;
	for (size_t i = 0; i < path; i++)
		slashes += t[i] == '/';
	if (slashes <= 1)
		buf_puts(out, "./");
	for (int i = 1; i < slashes; i++)
		buf_puts(out, "../");
}

enum http_status handle_page(struct request *req)
{
	const struct embedded_file *f = web_file("index.html");
	if (!f)
		return reply_internal(req, "the dashboard page is not in this binary");
	struct buf root = BUF_INIT, body = BUF_INIT;
	relative_root(req, &root);
	for (const char *p = f->data; *p;) {
		const char *mark = strstr(p, "{{root}}");
		if (!mark) {
			buf_puts(&body, p);
			break;
		}
		buf_append(&body, p, (size_t)(mark - p));
		buf_puts(&body, buf_cstr(&root));
		p = mark + strlen("{{root}}");
	}
	buf_free(&root);
	page_headers(req);
	return reply_buf(req, HTTP_OK, "text/html; charset=utf-8", &body);
}

static void add_label(const char *column, const char *value, const char *label, void *ctx)
{
	json_t *doc = ctx;
	if (!value) {
		json_object_set_new(json_object_get(doc, "columns"), column, json_string(label));
		return;
	}
	json_t *values = json_object_get(doc, "values");
	json_t *of = json_object_get(values, column);
	if (!of)
		json_object_set_new(values, column, of = json_object());
	json_object_set_new(of, value, json_string(label));
}

/* labels.js: the words of src/domain/labels.c, so that a page says what
 * the exports say ("Công đoàn cơ sở", "Mã đơn vị") from one dictionary. */
static enum http_status labels_script(struct request *req)
{
	json_t *doc = json_pack("{s:o, s:o}", "columns", json_object(), "values", json_object());
	labels_each(add_label, doc);
	char *text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(doc);
	struct buf body = BUF_INIT;
	buf_puts(&body, "\"use strict\";\n// the service's own column titles and value labels (src/domain/labels.c)\nwindow.thiduaLabels = ");
	buf_puts(&body, text);
	buf_puts(&body, ";\n");
	free(text);
	page_headers(req);
	return reply_buf(req, HTTP_OK, "text/javascript; charset=utf-8", &body);
}

enum http_status handle_asset(struct request *req)
{
	const char *name = param(req, "file");
	if (name && !strcmp(name, "labels.js"))
		return labels_script(req);
	const struct embedded_file *f = name && strcmp(name, "index.html") ? web_file(name) : NULL;
	if (!f)
		return reply_problem(req, HTTP_NOT_FOUND, "not_found", "There is no file %s in the dashboard.", req->path);
	const char *dot = strrchr(name, '.');
	const char *type = !dot                    ? "application/octet-stream"
	                   : !strcmp(dot, ".js")  ? "text/javascript; charset=utf-8"
	                   : !strcmp(dot, ".css") ? "text/css; charset=utf-8"
	                   : !strcmp(dot, ".svg") ? "image/svg+xml"
	                   : !strcmp(dot, ".png") ? "image/png"
	                                          : "application/octet-stream";
	page_headers(req);
	return reply_bytes(req, HTTP_OK, type, f->data, f->len);
}
