/* Excel workbooks (see xlsx_reader.h), with libzip for the archive and
 * expat for the XML. Every part is inflated chunk by chunk straight into
 * expat; only the shared strings are held, because cells refer to them by
 * index. The worksheet's rows go to the table layer (import/table.h) one
 * by one, numbered as Excel numbers them.
 *
 * Which sheet: the first worksheet of xl/workbook.xml's <sheets> that is
 * not hidden (the first hidden one when all are), found through
 * xl/_rels/workbook.xml.rels; xl/worksheets/sheet1.xml only when the
 * workbook has no relationships part. Other sheets are not read.
 *
 * Cells: a shared or inline string, or a formula's string result, is its
 * text (_xHHHH_ escapes decoded, a carriage return made a line break);
 * other control characters refuse the workbook, naming the cell. A
 * boolean is true or false, an error its text (#DIV/0!). A number is the
 * text the file stores (2529.554, the shortest form that reads back as
 * the same double), handed on as a number cell; with a date format
 * (built-in 14-17, 22, the East Asian date formats, or a custom format
 * with d, m or y outside quotes and brackets that is not a time of day
 * alone) it becomes YYYY-MM-DD, or YYYY-MM-DD HH:MM:SS when it has a time
 * of day (to the second). Serials count Excel's way: 1 is 1900-01-01, 60
 * is the 1900-02-29 Excel believes in (given as such: no date reads it),
 * or days from 1904-01-01 under workbookPr@date1904. A serial outside
 * 1900-01-01 .. 9999-12-31, and a time of day alone (formats 18-21,
 * 45-47, h:mm), stay numbers. A formula (<f>) is ignored: its value (<v>)
 * counts.
 *
 * Limits: the parts read may inflate, together, to 64 times the body (at
 * least 16 MiB, at most 256 MiB), checked against the sizes the archive
 * declares and while inflating; at most 1048576 shared strings and 64 MiB
 * of their text; rows 1 to 1048576 and columns A to XFD, as in Excel
 * (beyond TABLE_MAX_COLUMNS the table layer refuses them). A DTD refuses
 * the part before any entity is read. */
#include "import/xlsx_reader.h"

#include <expat.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zip.h>

#include "domain/number.h"
#include "import/table.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/utf8.h"

#define INFLATE_RATIO 64
#define INFLATE_FLOOR ((size_t)16 << 20)
#define INFLATE_CEILING ((size_t)256 << 20)
#define CHUNK (64 * 1024)
#define MAX_STRINGS (1L << 20)
#define MAX_STRING_BYTES ((size_t)64 << 20)
#define MAX_ROWS 1048576L
#define MAX_COLUMNS 16384
#define MAX_RELS 4096
#define MAX_XFS 65536
#define MAX_FORMAT_ID 0xFFFF

#define SAVE_AGAIN "open it in Excel and save it again as Excel Workbook (.xlsx), or save it as CSV UTF-8"

enum rel_kind { REL_OTHER, REL_WORKSHEET, REL_STRINGS, REL_STYLES };

struct rel {
	char *id;
	char *target; /* the part's name in the archive */
	enum rel_kind kind;
};

struct slot {
	size_t off, len; /* in rowtext */
	bool number;
	bool set;
};

struct xlsx {
	struct table table;
	zip_t *zip;
	size_t body_len;
	size_t limit;  /* what the parts read may inflate to, together */
	size_t budget; /* what is left of it */
	XML_Parser parser;
	const char *part; /* the part being parsed */
	bool halted;      /* a handler stopped the parser */
	bool doctype;

	/* xl/_rels/workbook.xml.rels */
	struct rel *rels;
	size_t nrels;
	/* xl/workbook.xml */
	bool date1904;
	const char *sheet;        /* the first visible worksheet's part */
	const char *hidden_sheet; /* the first hidden one */
	long nsheets;             /* <sheet> elements seen */
	/* shared strings: the texts back to back, each an offset and length */
	struct buf strings;
	uint32_t (*sst)[2];
	size_t nsst, capsst;
	/* styles: which cell formats are dates */
	int *xf_fmt;           /* each cell format's number format, then whether it is a date */
	size_t nxf;
	unsigned char *custom; /* by number format id: 0 built in, 1 custom, 2 custom date */
	/* element nesting, for every part */
	int in_si, in_t, in_rph, in_cellxfs, in_numfmts, in_sheetdata, in_is;
	bool collecting; /* character data goes to `val` */

	/* the worksheet */
	long row;    /* the row being read, or the last one */
	bool in_row;
	int col;     /* the cell being read (0 = A) */
	char type[12];
	long style;
	bool in_cell, in_v;
	bool has_f, has_v; /* the cell has a formula, a value */
	struct buf val;
	struct buf rowtext;
	struct slot slots[TABLE_MAX_COLUMNS];
	int width; /* 1 + the last column with text in this row */
};

static void halt(struct xlsx *x)
{
	if (!x->halted && x->parser)
		XML_StopParser(x->parser, XML_FALSE);
	x->halted = true;
}

/* Fails the read (the first failure stays) on a row, or on row 1 when
 * the workbook as a whole cannot be read, and stops the parser. */
static void fail(struct xlsx *x, long row, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fail(struct xlsx *x, long row, const char *fmt, ...)
{
	const char *code = "invalid_xlsx"; /* whatever the reason */
	char msg[sizeof x->table.err->message];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	table_fail(&x->table, code, row >= 1 ? row : 1, "%s", msg);
	halt(x);
}

static bool done(const struct xlsx *x)
{
	return x->table.failed || x->table.stopped;
}

/* ---- XML helpers ---- */

/* An element or attribute name without its namespace (expat gives
 * "URI|local"). */
static const char *local(const XML_Char *name)
{
	const char *bar = strrchr(name, '|');
	return bar ? bar + 1 : name;
}

static bool is(const XML_Char *name, const char *want)
{
	return !strcmp(local(name), want);
}

/* The attribute with that local name; namespaced: only one in a
 * namespace (r:id), else only one without. */
static const char *attr(const XML_Char **atts, const char *want, bool namespaced)
{
	for (int i = 0; atts[i]; i += 2)
		if ((strchr(atts[i], '|') != NULL) == namespaced && is(atts[i], want))
			return atts[i + 1];
	return NULL;
}

static long number_attr(const char *s, long fallback)
{
	if (!s || !*s)
		return fallback;
	char *end;
	long v = strtol(s, &end, 10);
	return *end || v < 0 ? -1 : v;
}

static void XMLCALL on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid, const XML_Char *pubid,
                               int has_internal_subset)
{
	struct xlsx *x = ud;
	x->doctype = true;
	halt(x);
}

static void XMLCALL on_entity(void *ud, const XML_Char *name, int is_parameter_entity, const XML_Char *value,
                              int value_length, const XML_Char *base, const XML_Char *system_id,
                              const XML_Char *public_id, const XML_Char *notation)
{
	struct xlsx *x = ud;
	x->doctype = true;
	halt(x);
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len)
{
	struct xlsx *x = ud;
	if (x->collecting && !x->halted)
		buf_append(&x->val, s, (size_t)len);
}

/* ---- the archive ---- */

static zip_int64_t locate(struct xlsx *x, const char *name)
{
	zip_int64_t i = zip_name_locate(x->zip, name, 0);
	return i >= 0 ? i : zip_name_locate(x->zip, name, ZIP_FL_NOCASE); /* part names ignore case */
}

static void too_big(struct xlsx *x, const char *name)
{
	fail(x, 1,
	     "The workbook's part %s unpacks to more than %zu MiB, more than is read from a file of %zu KiB: a workbook "
	     "that packs so tight is damaged or built to exhaust the server; %s",
	     name, x->limit >> 20, (x->body_len + 1023) / 1024, SAVE_AGAIN);
}

/* Streams one part through expat with the given handlers. False when the
 * read failed or stopped. */
static bool parse_part(struct xlsx *x, zip_int64_t index, const char *name, XML_StartElementHandler start,
                       XML_EndElementHandler end)
{
	zip_stat_t st;
	zip_stat_init(&st);
	if (zip_stat_index(x->zip, (zip_uint64_t)index, 0, &st) != 0) {
		fail(x, 1, "The workbook is damaged: its part %s cannot be found; %s", name, SAVE_AGAIN);
		return false;
	}
	if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE) {
		fail(x, 1,
		     "The workbook is encrypted; save it without a password as Excel Workbook (.xlsx), or as CSV UTF-8");
		return false;
	}
	if ((st.valid & ZIP_STAT_SIZE) && st.size > x->budget) {
		too_big(x, name);
		return false;
	}
	zip_file_t *f = zip_fopen_index(x->zip, (zip_uint64_t)index, 0);
	if (!f) {
		int ze = zip_error_code_zip(zip_get_error(x->zip));
		if (ze == ZIP_ER_NOPASSWD || ze == ZIP_ER_ENCRNOTSUPP || ze == ZIP_ER_WRONGPASSWD)
			fail(x, 1,
			     "The workbook is encrypted; save it without a password as Excel Workbook (.xlsx), or as CSV "
			     "UTF-8");
		else
			fail(x, 1, "The workbook is damaged: its part %s cannot be unpacked (%s); %s", name,
			     zip_strerror(x->zip), SAVE_AGAIN);
		return false;
	}
	XML_Parser p = XML_ParserCreateNS(NULL, '|');
	if (!p)
		abort(); /* out of memory, as xmalloc */
	XML_SetUserData(p, x);
	XML_SetElementHandler(p, start, end);
	XML_SetCharacterDataHandler(p, on_text);
	XML_SetStartDoctypeDeclHandler(p, on_doctype);
	XML_SetEntityDeclHandler(p, on_entity);
	x->parser = p;
	x->part = name;
	x->halted = x->doctype = x->collecting = false;
	x->in_si = x->in_t = x->in_rph = x->in_cellxfs = x->in_numfmts = x->in_sheetdata = x->in_is = 0;
	x->in_row = x->in_cell = x->in_v = false;
	for (;;) {
		void *chunk = XML_GetBuffer(p, CHUNK);
		if (!chunk)
			abort(); /* out of memory: the parser is neither finished nor suspended here */
		zip_int64_t n = zip_fread(f, chunk, CHUNK);
		if (n < 0) {
			fail(x, x->row, "The workbook is damaged: its part %s cannot be unpacked (%s); %s", name,
			     zip_file_strerror(f), SAVE_AGAIN);
			break;
		}
		if ((zip_uint64_t)n > x->budget) {
			too_big(x, name);
			break;
		}
		x->budget -= (size_t)n;
		if (XML_ParseBuffer(p, (int)n, n == 0) != XML_STATUS_OK) {
			if (done(x))
				break;
			if (x->doctype)
				fail(x, x->row,
				     "The workbook's part %s declares a DTD (<!DOCTYPE>), which Excel never writes; the file is "
				     "refused: %s",
				     name, SAVE_AGAIN);
			else
				fail(x, x->row,
				     "The workbook is damaged: its part %s is not well-formed XML (line %lu: %s); %s", name,
				     (unsigned long)XML_GetCurrentLineNumber(p), XML_ErrorString(XML_GetErrorCode(p)), SAVE_AGAIN);
			break;
		}
		if (n == 0 || done(x))
			break;
	}
	XML_ParserFree(p);
	zip_fclose(f);
	x->parser = NULL;
	return !done(x);
}

/* ---- xl/_rels/workbook.xml.rels ---- */

/* The part a relationship of xl/workbook.xml points at: relative to xl/,
 * or from the root when it starts with a slash; "." and ".." resolved.
 * NULL when it leaves the package. */
static char *resolve(const char *target)
{
	struct buf path = BUF_INIT;
	if (*target == '/')
		target++;
	else
		buf_puts(&path, "xl/");
	while (*target) {
		size_t n = strcspn(target, "/");
		if (n == 2 && !strncmp(target, "..", 2)) {
			if (!path.len) {
				buf_free(&path);
				return NULL;
			}
			path.len--; /* the slash, then the segment before it */
			while (path.len && path.data[path.len - 1] != '/')
				path.len--;
			path.data[path.len] = '\0';
		} else if (n && !(n == 1 && *target == '.')) {
			buf_append(&path, target, n);
			if (target[n] == '/')
				buf_putc(&path, '/');
		}
		target += n + (target[n] == '/');
	}
	return buf_steal(&path);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && !strcmp(s + n - k, suffix);
}

static void XMLCALL rels_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct xlsx *x = ud;
	if (x->halted || !is(name, "Relationship"))
		return;
	const char *id = attr(atts, "Id", false), *type = attr(atts, "Type", false),
	           *target = attr(atts, "Target", false), *mode = attr(atts, "TargetMode", false);
	if (!id || !type || !target || (mode && !strcmp(mode, "External")))
		return;
	if (x->nrels == MAX_RELS) {
		fail(x, 1, "The workbook has more than %d relationships; %s", MAX_RELS, SAVE_AGAIN);
		return;
	}
	char *part = resolve(target);
	if (!part)
		return;
	if (x->nrels % 16 == 0)
		x->rels = xrealloc(x->rels, (x->nrels + 16) * sizeof *x->rels);
	struct rel *r = &x->rels[x->nrels++];
	r->id = xstrdup(id);
	r->target = part;
	r->kind = ends_with(type, "/worksheet")       ? REL_WORKSHEET
	          : ends_with(type, "/sharedStrings") ? REL_STRINGS
	          : ends_with(type, "/styles")        ? REL_STYLES
	                                              : REL_OTHER;
}

static const struct rel *rel_of_kind(const struct xlsx *x, enum rel_kind kind)
{
	for (size_t i = 0; i < x->nrels; i++)
		if (x->rels[i].kind == kind)
			return &x->rels[i];
	return NULL;
}

/* ---- xl/workbook.xml ---- */

static bool truthy(const char *s)
{
	return s && (!strcmp(s, "1") || !strcmp(s, "true"));
}

static void XMLCALL workbook_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct xlsx *x = ud;
	if (x->halted)
		return;
	if (is(name, "workbookPr")) {
		x->date1904 = truthy(attr(atts, "date1904", false));
		return;
	}
	if (!is(name, "sheet"))
		return;
	const char *id = attr(atts, "id", true), *state = attr(atts, "state", false);
	bool hidden = state && strcmp(state, "visible");
	/* beyond MAX_RELS sheets some have no part: no longer worth a look */
	if (!id || x->sheet || (hidden && x->hidden_sheet) || ++x->nsheets > MAX_RELS)
		return;
	for (size_t i = 0; i < x->nrels; i++)
		if (x->rels[i].kind == REL_WORKSHEET && !strcmp(x->rels[i].id, id)) {
			if (!hidden)
				x->sheet = x->rels[i].target;
			else if (!x->hidden_sheet)
				x->hidden_sheet = x->rels[i].target;
			return;
		}
}

/* ---- text ---- */

static int hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)(c | 0x20);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The code unit of an _xHHHH_ escape at s, or -1. */
static long escape_at(const char *s, size_t len)
{
	if (len < 7 || s[0] != '_' || s[1] != 'x' || s[6] != '_')
		return -1;
	long v = 0;
	for (int i = 2; i < 6; i++) {
		int h = hex(s[i]);
		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

static size_t put_utf8(char *out, unsigned long c)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xC0 | (c >> 6));
		out[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xE0 | (c >> 12));
		out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		out[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (c >> 18));
	out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
	out[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

/* In place: the _xHHHH_ escapes Excel writes for characters XML cannot
 * hold (_x005F_ for an underscore) decoded, a pair for a character beyond
 * U+FFFF; CR LF and a lone CR made LF. Never longer than it was. */
static size_t unescape(char *s, size_t len)
{
	size_t o = 0;
	for (size_t i = 0; i < len;) {
		long c = s[i] == '_' ? escape_at(s + i, len - i) : -1;
		if (c >= 0xD800 && c <= 0xDBFF) {
			long lo = escape_at(s + i + 7, len - i - 7);
			if (lo >= 0xDC00 && lo <= 0xDFFF) {
				o += put_utf8(s + o, 0x10000 + (((unsigned long)c - 0xD800) << 10) + ((unsigned long)lo - 0xDC00));
				i += 14;
				continue;
			}
			c = -1; /* a lone surrogate stays as written */
		} else if (c >= 0xDC00 && c <= 0xDFFF) {
			c = -1;
		}
		if (c >= 0) {
			if (c == '\r') {
				s[o++] = '\n';
				i += 7;
				if (i < len && s[i] == '\n')
					i++;
				else if (escape_at(s + i, len - i) == '\n')
					i += 7;
				continue;
			}
			o += put_utf8(s + o, (unsigned long)c);
			i += 7;
		} else if (s[i] == '\r') {
			s[o++] = '\n';
			i++;
			if (i < len && s[i] == '\n')
				i++;
			else if (escape_at(s + i, len - i) == '\n')
				i += 7;
		} else {
			s[o++] = s[i++];
		}
	}
	return o;
}

/* The first control character but tab and line break (C0, DEL, C1), or
 * -1; -2 when the text is not UTF-8. */
static long control_char(const char *s, size_t len)
{
	size_t bad;
	if (!utf8_valid(s, len, &bad))
		return -2;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7F)
			return c;
		if (c == 0xC2 && i + 1 < len && (unsigned char)s[i + 1] < 0xA0)
			return (unsigned char)s[i + 1]; /* U+0080..U+009F */
	}
	return -1;
}

/* ---- xl/sharedStrings.xml ---- */

static void XMLCALL strings_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct xlsx *x = ud;
	if (x->halted)
		return;
	const char *n = local(name);
	if (!strcmp(n, "si")) {
		x->in_si++;
		buf_reset(&x->val);
	} else if (!strcmp(n, "rPh")) {
		x->in_rph++;
	} else if (!strcmp(n, "t")) {
		x->in_t++;
	}
	x->collecting = x->in_si && x->in_t && !x->in_rph;
}

static void XMLCALL strings_end(void *ud, const XML_Char *name)
{
	struct xlsx *x = ud;
	if (x->halted)
		return;
	const char *n = local(name);
	if (!strcmp(n, "t") && x->in_t) {
		x->in_t--;
	} else if (!strcmp(n, "rPh") && x->in_rph) {
		x->in_rph--;
	} else if (!strcmp(n, "si") && x->in_si) {
		x->in_si--;
		if ((long)x->nsst == MAX_STRINGS) {
			fail(x, 1, "The workbook has more than %ld different texts; split it, or send CSV UTF-8",
			     MAX_STRINGS);
			return;
		}
		size_t len = x->val.data ? unescape(x->val.data, x->val.len) : 0;
		if (x->strings.len + len > MAX_STRING_BYTES) {
			fail(x, 1, "The workbook's texts come to more than %zu MiB; split it, or send CSV UTF-8",
			     MAX_STRING_BYTES >> 20);
			return;
		}
		if (x->nsst == x->capsst) {
			x->capsst = x->capsst ? 2 * x->capsst : 256;
			x->sst = xrealloc(x->sst, x->capsst * sizeof *x->sst);
		}
		x->sst[x->nsst][0] = (uint32_t)x->strings.len;
		x->sst[x->nsst][1] = (uint32_t)len;
		x->nsst++;
		buf_append(&x->strings, x->val.data ? x->val.data : "", len);
		buf_reset(&x->val);
	}
	x->collecting = x->in_si && x->in_t && !x->in_rph;
}

/* ---- xl/styles.xml ---- */

/* Whether a number format shows a date: d, m or y outside quotes,
 * brackets and escapes, and not only a time of day (h, m, s). */
static bool date_format(const char *code)
{
	bool day = false, month = false, time = false;
	for (const char *p = code; *p; p++) {
		char c = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
		if (c == '"') {
			const char *q = strchr(p + 1, '"');
			if (!q)
				break;
			p = q;
		} else if (c == '[') {
			const char *q = strchr(p + 1, ']');
			if (!q)
				break;
			p = q;
		} else if (c == '\\' || c == '_' || c == '*') {
			if (!p[1])
				break;
			p++;
		} else if (!strncasecmp(p, "am/pm", 5)) {
			p += 4;
		} else if (!strncasecmp(p, "a/p", 3)) {
			p += 2;
		} else if (c == 'd' || c == 'y') {
			day = true;
		} else if (c == 'm') {
			month = true;
		} else if (c == 'h' || c == 's') {
			time = true;
		}
	}
	return day || (month && !time);
}

static bool builtin_date(long id)
{
	return (id >= 14 && id <= 17) || id == 22 || (id >= 27 && id <= 31) || id == 36 || (id >= 50 && id <= 58);
}

static void XMLCALL styles_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct xlsx *x = ud;
	if (x->halted)
		return;
	const char *n = local(name);
	if (!strcmp(n, "cellXfs")) {
		x->in_cellxfs++;
	} else if (!strcmp(n, "numFmts")) {
		x->in_numfmts++;
	} else if (!strcmp(n, "xf") && x->in_cellxfs) {
		if (x->nxf == MAX_XFS) {
			fail(x, 1, "The workbook has more than %d cell formats; %s", MAX_XFS, SAVE_AGAIN);
			return;
		}
		if (x->nxf % 64 == 0)
			x->xf_fmt = xrealloc(x->xf_fmt, (x->nxf + 64) * sizeof *x->xf_fmt);
		long id = number_attr(attr(atts, "numFmtId", false), 0);
		x->xf_fmt[x->nxf++] = id > MAX_FORMAT_ID ? -1 : (int)id;
	} else if (!strcmp(n, "numFmt") && x->in_numfmts) {
		long id = number_attr(attr(atts, "numFmtId", false), -1);
		const char *code = attr(atts, "formatCode", false);
		if (id < 0 || id > MAX_FORMAT_ID || !code)
			return;
		if (!x->custom)
			x->custom = xcalloc(MAX_FORMAT_ID + 1, 1);
		x->custom[id] = date_format(code) ? 2 : 1; /* the last definition wins */
	}
}

static void XMLCALL styles_end(void *ud, const XML_Char *name)
{
	struct xlsx *x = ud;
	if (x->halted)
		return;
	const char *n = local(name);
	if (!strcmp(n, "cellXfs") && x->in_cellxfs)
		x->in_cellxfs--;
	else if (!strcmp(n, "numFmts") && x->in_numfmts)
		x->in_numfmts--;
}

/* The xf table becomes one flag per style: 1 a date, 0 not. */
static void resolve_styles(struct xlsx *x)
{
	for (size_t i = 0; i < x->nxf; i++) {
		int id = x->xf_fmt[i];
		x->xf_fmt[i] = id < 0 ? 0 : x->custom && x->custom[id] ? x->custom[id] == 2 : builtin_date(id);
	}
}

static bool date_style(const struct xlsx *x, long style)
{
	return style >= 0 && (size_t)style < x->nxf && x->xf_fmt[style];
}

/* ---- the worksheet ---- */

static void column_name(int col, char out[4])
{
	char tmp[4];
	int n = 0;
	for (col++; col > 0 && n < 3; col = (col - 1) / 26)
		tmp[n++] = (char)('A' + (col - 1) % 26);
	for (int i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = '\0';
}

/* The column of a cell reference (C7: 2), or -1. */
static int column_of(const char *ref)
{
	int col = 0, letters = 0;
	const char *p = ref;
	for (; (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'); p++) {
		if (++letters > 3)
			return -1;
		col = col * 26 + ((*p | 0x20) - 'a' + 1);
	}
	if (!letters || col > MAX_COLUMNS)
		return -1;
	for (const char *d = p; *d; d++)
		if (*d < '0' || *d > '9')
			return -1;
	return col - 1;
}

static long days_from_civil(long y, long m, long d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(long z, long *y, long *m, long *d)
{
	z += 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yoe + era * 400 + (*m <= 2);
}

/* A date-formatted number as YYYY-MM-DD[ HH:MM:SS] into out; false when it
 * is no date Excel shows (then it stays a number). */
static bool serial_date(const struct xlsx *x, const char *text, size_t len, struct buf *out)
{
	char tmp[64];
	if (len == 0 || len >= sizeof tmp)
		return false;
	memcpy(tmp, text, len);
	tmp[len] = '\0';
	char *end;
	double v = strtod(tmp, &end); /* the C locale's decimal point: the service never sets another */
	if (*end || !(v >= 0 && v < 2958466.0))
		return false; /* NaN and infinities too */
	long days = (long)v;
	long secs = (long)((v - (double)days) * 86400.0 + 0.5);
	if (secs >= 86400) {
		days++;
		secs -= 86400;
	}
	long y, m, d;
	if (x->date1904) {
		civil_from_days(days_from_civil(1904, 1, 1) + days, &y, &m, &d);
	} else if (days == 60) {
		y = 1900, m = 2, d = 29; /* the day Excel counts and the calendar does not */
	} else if (days >= 1) {
		civil_from_days(days_from_civil(1899, 12, days < 60 ? 31 : 30) + days, &y, &m, &d);
	} else {
		return false;
	}
	if (y > 9999)
		return false;
	buf_printf(out, "%04ld-%02ld-%02ld", y, m, d);
	if (secs)
		buf_printf(out, " %02ld:%02ld:%02ld", secs / 3600, secs / 60 % 60, secs % 60);
	return true;
}

static void trim(const char **s, size_t *len)
{
	while (*len && (**s == ' ' || **s == '\t' || **s == '\n' || **s == '\r')) {
		(*s)++;
		(*len)--;
	}
	while (*len && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t' || (*s)[*len - 1] == '\n' ||
	                (*s)[*len - 1] == '\r'))
		(*len)--;
}

static void XMLCALL sheet_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct xlsx *x = ud;
	if (x->halted)
		return;
	const char *n = local(name);
	if (!strcmp(n, "sheetData")) {
		x->in_sheetdata++;
	} else if (!x->in_sheetdata) {
		return;
	} else if (!strcmp(n, "row")) {
		const char *given = attr(atts, "r", false);
		long r = number_attr(given, x->row + 1);
		if (r <= x->row || r > MAX_ROWS) { /* Excel writes rows 1 to 1048576 in order, each once */
			given = given ? given : "";
			fail(x, x->row + 1, "After row %ld the worksheet has a row numbered '%.*s'; %s", x->row,
			     utf8_cut(given, strlen(given), 12), given, SAVE_AGAIN);
			return;
		}
		x->row = r;
		x->in_row = true;
		x->col = -1;
		x->width = 0;
		buf_reset(&x->rowtext);
		memset(x->slots, 0, sizeof x->slots);
	} else if (!strcmp(n, "c") && x->in_row) {
		const char *ref = attr(atts, "r", false), *t = attr(atts, "t", false);
		int col = ref ? column_of(ref) : x->col + 1;
		if (col < 0 || col >= MAX_COLUMNS) {
			fail(x, x->row, "Row %ld has a cell named '%.*s', which is no cell of a worksheet; %s", x->row,
			     ref ? utf8_cut(ref, strlen(ref), 12) : 0, ref ? ref : "", SAVE_AGAIN);
			return;
		}
		if (col <= x->col) { /* Excel writes a row's cells left to right, each once */
			char cname[4];
			column_name(col, cname);
			fail(x, x->row, "Row %ld lists cell %s%ld twice or out of order; %s", x->row, cname, x->row,
			     SAVE_AGAIN);
			return;
		}
		x->col = col;
		snprintf(x->type, sizeof x->type, "%s", t ? t : "n");
		x->style = number_attr(attr(atts, "s", false), 0);
		x->in_cell = true;
		x->has_f = x->has_v = false;
		x->in_is = 0;
		x->in_rph = 0;
		x->in_t = 0;
		buf_reset(&x->val);
	} else if (!x->in_cell) {
		return;
	} else if (!strcmp(n, "v")) {
		x->in_v = x->has_v = true;
	} else if (!strcmp(n, "f")) {
		x->has_f = true;
	} else if (!strcmp(n, "is")) {
		x->in_is++;
	} else if (!strcmp(n, "rPh")) {
		x->in_rph++;
	} else if (!strcmp(n, "t")) {
		x->in_t++;
	}
	x->collecting = x->in_cell && (x->in_v || (x->in_is && x->in_t && !x->in_rph));
}

/* A number cell as Excel shows it: Excel keeps 15 significant digits, so
 * a computed cell stored as 0.30000000000000004 is the 0.3 the officer
 * sees (and the import's 15 decimals hold). Anything with 15 significant
 * digits or fewer passes as written. */
static void excel_precision(const char *text, size_t len, struct buf *out)
{
	int significant = 0;
	bool leading = true;
	for (size_t i = 0; i < len && text[i] != 'e' && text[i] != 'E'; i++) {
		if (text[i] < '0' || text[i] > '9')
			continue;
		if (leading && text[i] == '0')
			continue;
		leading = false;
		significant++;
	}
	char shortened[40];
	if (significant <= 15 || len >= 64) {
		buf_append(out, text, len);
		return;
	}
	char copy[64];
	memcpy(copy, text, len);
	copy[len] = '\0';
	snprintf(shortened, sizeof shortened, "%.15g", strtod(copy, NULL));
	buf_puts(out, shortened);
}

/* The cell just read, into its slot (or counted when beyond the table's
 * columns). */
static void end_cell(struct xlsx *x)
{
	char cname[4];
	column_name(x->col, cname);
	const char *text = x->val.data ? x->val.data : "";
	size_t len = x->val.len;
	bool number = false, is_text = false;
	size_t start = x->rowtext.len;
	const char *t = x->type;
	const char *v = text;
	size_t vlen = len;
	trim(&v, &vlen);
	if (x->has_f && strcmp(t, "inlineStr") && (!x->has_v || (!strcmp(t, "n") && !vlen))) {
		/* Excel stores every formula's result (an empty text as t="str");
		 * a program that wrote the formula alone left the cell without one */
		fail(x, x->row,
		     "Row %ld, cell %s%ld has a formula but not its result (the file was not saved by Excel, which "
		     "stores results); open it in Excel and save it again, or write the value instead of the formula",
		     x->row, cname, x->row);
		return;
	}
	if (!strcmp(t, "s")) {
		trim(&text, &len);
		if (!len)
			return;
		char *end;
		unsigned long i = strtoul(text, &end, 10);
		if (end != text + len || *text == '-' || *text == '+' || i >= x->nsst) {
			fail(x, x->row,
			     "Row %ld, cell %s%ld refers to text number %.*s, which the workbook does not have; %s", x->row,
			     cname, x->row, utf8_cut(text, len, 20), text, SAVE_AGAIN);
			return;
		}
		if (x->sst[i][1])
			buf_append(&x->rowtext, x->strings.data + x->sst[i][0], x->sst[i][1]);
		is_text = true;
	} else if (!strcmp(t, "inlineStr") || !strcmp(t, "str") || !strcmp(t, "e")) {
		char *own = x->val.data;
		len = own ? unescape(own, len) : 0;
		buf_append(&x->rowtext, text, len);
		is_text = true;
	} else if (!strcmp(t, "b")) {
		trim(&text, &len);
		if (!len)
			return;
		bool yes = len == 1 && *text == '1', no = len == 1 && *text == '0';
		if (!yes && !no) {
			fail(x, x->row, "Row %ld, cell %s%ld is a true/false cell holding '%.*s'; %s", x->row, cname,
			     x->row, utf8_cut(text, len, 20), text, SAVE_AGAIN);
			return;
		}
		buf_puts(&x->rowtext, yes ? "true" : "false");
	} else if (!strcmp(t, "d")) {
		trim(&text, &len); /* an ISO 8601 date cell: its time only when it has one */
		size_t keep = len;
		if (len >= 19 && text[10] == 'T' && !strncmp(text + 10, "T00:00:00", 9) &&
		    strspn(text + 19, ".0Z") == len - 19)
			keep = 10;
		size_t at = x->rowtext.len;
		buf_append(&x->rowtext, text, keep);
		if (keep > 10 && x->rowtext.data[at + 10] == 'T')
			x->rowtext.data[at + 10] = ' ';
		is_text = true;
	} else if (!strcmp(t, "n")) {
		trim(&text, &len);
		if (!len)
			return;
		/* a worksheet stores a number as [-]digits[.digits][E[+-]digits] */
		enum number_verdict shape = number_check(text, len);
		if (shape == NUMBER_SYNTAX || shape == NUMBER_TOO_LONG) {
			fail(x, x->row, "Row %ld, cell %s%ld is a number cell holding '%.*s'; %s", x->row, cname, x->row,
			     utf8_cut(text, len, 20), text, SAVE_AGAIN);
			return;
		}
		if (!date_style(x, x->style) || !serial_date(x, text, len, &x->rowtext)) {
			excel_precision(text, len, &x->rowtext);
			number = true;
		}
	} else {
		fail(x, x->row, "Row %ld, cell %s%ld has a type (t=\"%s\") Excel does not write; %s", x->row,
		     cname, x->row, t, SAVE_AGAIN);
		return;
	}
	len = x->rowtext.len - start;
	if (len == 0)
		return;
	if (is_text) {
		long c = control_char(x->rowtext.data + start, len);
		if (c == -2) {
			fail(x, x->row, "Row %ld, cell %s%ld: the text is not UTF-8; %s", x->row, cname, x->row,
			     SAVE_AGAIN);
			return;
		}
		if (c >= 0) {
			fail(x, x->row,
			     "Row %ld, cell %s%ld: the text holds an invisible control character (U+%04lX); delete it in "
			     "Excel (the CLEAN function removes such characters) and save again",
			     x->row, cname, x->row, c);
			return;
		}
	}
	if (x->col + 1 > x->width)
		x->width = x->col + 1;
	if (x->col < TABLE_MAX_COLUMNS)
		x->slots[x->col] = (struct slot){start, len, number, true};
}

/* The row just read, to the table: gaps are empty cells, and so are the
 * cells a row leaves off before the header's last column. */
static void end_row(struct xlsx *x)
{
	int n = x->width, more = 0;
	if (n > TABLE_MAX_COLUMNS) {
		more = n - TABLE_MAX_COLUMNS;
		n = TABLE_MAX_COLUMNS;
	}
	if (x->table.have_header && !more && n < x->table.ncols)
		n = x->table.ncols;
	struct table_cell cells[TABLE_MAX_COLUMNS];
	for (int i = 0; i < n; i++) {
		const struct slot *s = &x->slots[i];
		cells[i] = s->set ? (struct table_cell){x->rowtext.data + s->off, s->len, s->number}
		                  : (struct table_cell){NULL, 0, false};
	}
	if (!table_row(&x->table, cells, n, more, x->row))
		halt(x);
	x->width = 0;
}

static void XMLCALL sheet_end(void *ud, const XML_Char *name)
{
	struct xlsx *x = ud;
	if (x->halted || !x->in_sheetdata)
		return;
	const char *n = local(name);
	if (!strcmp(n, "sheetData")) {
		x->in_sheetdata--;
	} else if (!strcmp(n, "row") && x->in_row) {
		x->in_row = false;
		x->in_cell = false;
		end_row(x);
	} else if (!x->in_cell) {
		return;
	} else if (!strcmp(n, "c")) {
		x->in_cell = false;
		x->in_v = false;
		end_cell(x);
	} else if (!strcmp(n, "v")) {
		x->in_v = false;
	} else if (!strcmp(n, "is") && x->in_is) {
		x->in_is--;
	} else if (!strcmp(n, "rPh") && x->in_rph) {
		x->in_rph--;
	} else if (!strcmp(n, "t") && x->in_t) {
		x->in_t--;
	}
	x->collecting = x->in_cell && (x->in_v || (x->in_is && x->in_t && !x->in_rph));
}

/* ---- the workbook ---- */

static void not_a_workbook(struct xlsx *x)
{
	if (locate(x, "xl/workbook.bin") >= 0)
		fail(x, 1,
		     "The file is an Excel Binary Workbook (.xlsb); save it from Excel as Excel Workbook (.xlsx), or as "
		     "CSV UTF-8");
	else if (locate(x, "content.xml") >= 0 && locate(x, "mimetype") >= 0)
		fail(x, 1,
		     "The file is an OpenDocument spreadsheet (.ods); save it as Excel Workbook (.xlsx), or as CSV UTF-8");
	else
		fail(x, 1,
		     "The file is a zip archive but not an Excel workbook (.xlsx); save the sheet from Excel as Excel "
		     "Workbook, or as CSV UTF-8");
}

static void read_workbook(struct xlsx *x, const char *body, size_t len)
{
	if (len >= 8 && !memcmp(body, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8)) {
		fail(x, 1,
		     "The file is an Excel 97-2003 workbook (.xls) or a workbook protected with a password; open it in "
		     "Excel, remove any password, and save it as Excel Workbook (.xlsx), or as CSV UTF-8");
		return;
	}
	zip_error_t ze;
	zip_error_init(&ze);
	zip_source_t *src = zip_source_buffer_create(len ? body : "", len, 0, &ze);
	if (src)
		x->zip = zip_open_from_source(src, ZIP_RDONLY, &ze);
	if (!x->zip) {
		zip_source_free(src);
		if (len >= 4 && !memcmp(body, "PK\x03\x04", 4))
			fail(x, 1,
			     "The workbook is damaged: it cannot be unpacked (%s); was it sent whole? Otherwise %s",
			     zip_error_strerror(&ze), SAVE_AGAIN);
		else
			fail(x, 1,
			     "The file is not an Excel workbook (.xlsx); save it from Excel as Excel Workbook, or as CSV UTF-8");
		zip_error_fini(&ze);
		return;
	}
	zip_error_fini(&ze);

	zip_int64_t workbook = locate(x, "xl/workbook.xml"), rels = locate(x, "xl/_rels/workbook.xml.rels");
	if (workbook < 0) {
		not_a_workbook(x);
		return;
	}
	if (rels >= 0 && !parse_part(x, rels, "xl/_rels/workbook.xml.rels", rels_start, NULL))
		return;
	if (!parse_part(x, workbook, "xl/workbook.xml", workbook_start, NULL))
		return;
	const char *sheet = x->sheet ? x->sheet : x->hidden_sheet;
	if (!sheet && rels < 0)
		sheet = "xl/worksheets/sheet1.xml";
	zip_int64_t sheet_index = sheet ? locate(x, sheet) : -1;
	if (sheet_index < 0) {
		if (sheet)
			fail(x, 1, "The workbook is damaged: its first worksheet (%s) is missing; %s", sheet,
			     SAVE_AGAIN);
		else
			fail(x, 1, "The workbook has no worksheet; %s", SAVE_AGAIN);
		return;
	}

	const struct rel *strings = rel_of_kind(x, REL_STRINGS), *styles = rel_of_kind(x, REL_STYLES);
	const char *strings_part = strings ? strings->target : rels < 0 ? "xl/sharedStrings.xml" : NULL;
	const char *styles_part = styles ? styles->target : rels < 0 ? "xl/styles.xml" : NULL;
	zip_int64_t i = strings_part ? locate(x, strings_part) : -1; /* both optional */
	if (i >= 0 && !parse_part(x, i, strings_part, strings_start, strings_end))
		return;
	i = styles_part ? locate(x, styles_part) : -1;
	if (i >= 0 && !parse_part(x, i, styles_part, styles_start, styles_end))
		return;
	resolve_styles(x);
	parse_part(x, sheet_index, sheet, sheet_start, sheet_end);
}

static size_t inflate_limit(size_t len)
{
	if (len > INFLATE_CEILING / INFLATE_RATIO)
		return INFLATE_CEILING;
	return len * INFLATE_RATIO > INFLATE_FLOOR ? len * INFLATE_RATIO : INFLATE_FLOOR;
}

bool xlsx_read(const char *body, size_t len, const struct import_columns *cols, const struct import_sink *sink,
               struct read_error *err, struct buf *ignored)
{
	struct xlsx x;
	memset(&x, 0, sizeof x);
	table_init(&x.table, cols, sink, err, "row");
	x.body_len = len;
	x.limit = x.budget = inflate_limit(len);
	x.strings = (struct buf)BUF_INIT;
	x.val = (struct buf)BUF_INIT;
	x.rowtext = (struct buf)BUF_INIT;

	read_workbook(&x, body, len);
	bool ok = x.table.stopped || table_end(&x.table);
	if (ignored)
		buf_append(ignored, x.table.ignored.data ? x.table.ignored.data : "", x.table.ignored.len);

	if (x.zip)
		zip_discard(x.zip);
	for (size_t i = 0; i < x.nrels; i++) {
		free(x.rels[i].id);
		free(x.rels[i].target);
	}
	free(x.rels);
	free(x.sst);
	free(x.xf_fmt);
	free(x.custom);
	buf_free(&x.strings);
	buf_free(&x.val);
	buf_free(&x.rowtext);
	table_free(&x.table);
	return ok;
}
