/* Rows as an XLSX workbook (see xlsx.h). libxlsxwriter
 * 1.1 writes only to files, so the workbook goes through a private
 * temporary file that is read back and removed at once. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "domain/labels.h"
#include "render/json.h"
#include "render/xlsx.h"

#define MAX_WIDTH 60

static bool exported(const char *name)
{
	return name[0] != '@' && name[0] != '_';
}

static bool is_pct(const char *name)
{
	size_t n = strlen(name);
	return n > 4 && !strcmp(name + n - 4, "_pct");
}

/* Display width of UTF-8 text: one per character. */
static double width_of(const char *s)
{
	double w = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			w++;
	return w;
}

/* Excel sheet names: at most 31 characters, none of []:*?/\ */
static void sheet_name(const char *in, char out[32])
{
	size_t o = 0;
	for (const char *p = in; *p && o < 31; p++)
		out[o++] = strchr("[]:*?/\\", *p) ? '-' : *p;
	out[o] = '\0';
}

static void text_of_json(const char *text, struct buf *out)
{
	json_t *v = json_loads(text, JSON_DECODE_ANY, NULL);
	if (json_is_array(v)) {
		size_t i;
		json_t *e;
		json_array_foreach(v, i, e)
		{
			if (i)
				buf_puts(out, ", ");
			if (json_is_string(e))
				buf_puts(out, json_string_value(e));
		}
	} else {
		buf_puts(out, text);
	}
	json_decref(v);
}

/* A percentage's text as the fraction Excel stores, shifted in decimal
 * (98.57 → 0.9857), so the double is the one closest to 0.9857 and not
 * 98.57 / 100 = 0.9856999999999999. */
static double fraction_of_pct(const char *v)
{
	char digits[80];
	const char *sign = "";
	if (*v == '-') {
		sign = "-";
		v++;
	}
	size_t whole = strcspn(v, "."), n = strlen(v);
	if (n > 60)
		return strtod(v, NULL) / 100;
	char w[64] = "000";
	memcpy(w + 3, v, whole); /* at least three digits before the point */
	w[3 + whole] = '\0';
	size_t wl = strlen(w);
	snprintf(digits, sizeof digits, "%s%.*s.%.2s%s", sign, (int)(wl - 2), w, w + wl - 2, whole < n ? v + whole + 1 : "");
	return strtod(digits, NULL);
}

/* Numbers with their thousands grouped and as many decimals as they have
 * (up to 15): "#,##0", "#,##0.0", "#,##0.000" … one format each. */
static lxw_format *number_format(lxw_workbook *wb, lxw_format *formats[16], const char *v)
{
	const char *dot = strchr(v, '.');
	size_t d = dot ? render_numeric_len(v, strlen(v)) - (size_t)(dot - v) - 1 : 0;
	if (d > 15)
		d = 15;
	if (!formats[d]) {
		char code[32] = "#,##0";
		if (d) {
			strcat(code, ".");
			for (size_t i = 0; i < d; i++)
				strcat(code, "0");
		}
		formats[d] = workbook_add_format(wb);
		format_set_num_format(formats[d], code);
	}
	return formats[d];
}

bool render_xlsx(struct buf *out, const PGresult *res, int rows, const char *sheet, const char *title, char *err,
                 size_t errlen)
{
	char path[] = "/tmp/thidua-xlsx-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0) {
		snprintf(err, errlen, "cannot make a temporary file: %s", strerror(errno));
		return false;
	}
	close(fd);
	bool ok = false;
	lxw_workbook_options options = {.constant_memory = LXW_FALSE, .tmpdir = NULL, .use_zip64 = LXW_FALSE};
	lxw_workbook *wb = workbook_new_opt(path, &options);
	if (!wb) {
		snprintf(err, errlen, "libxlsxwriter could not create the workbook");
		unlink(path);
		return false;
	}
	/* A fixed creation time keeps the same rows the same bytes, so the
	 * export has a stable ETag like every other answer. */
	lxw_doc_properties properties = {.title = (char *)sheet, .author = (char *)"thidua", .created = 946684800};
	workbook_set_properties(wb, &properties);
	char name[32];
	sheet_name(sheet, name);
	lxw_worksheet *ws = workbook_add_worksheet(wb, name);
	lxw_format *bold = workbook_add_format(wb);
	format_set_bold(bold);
	format_set_text_wrap(bold);
	format_set_align(bold, LXW_ALIGN_VERTICAL_TOP);
	lxw_format *percent = workbook_add_format(wb);
	format_set_num_format(percent, "0.00%");
	lxw_format *date = workbook_add_format(wb);
	format_set_num_format(date, "yyyy-mm-dd");
	lxw_format *stamp = workbook_add_format(wb);
	format_set_num_format(stamp, "yyyy-mm-dd hh:mm:ss");
	lxw_format *numbers[16] = {NULL};

	/* the title, then a blank row, then the header */
	lxw_row_t header = 0;
	if (title) {
		lxw_format *big = workbook_add_format(wb);
		format_set_bold(big);
		format_set_font_size(big, 13);
		worksheet_write_string(ws, 0, 0, title, big);
		header = 2;
	}
	int ncols = PQnfields(res);
	double widths[256] = {0};
	lxw_col_t col = 0;
	for (int c = 0; c < ncols && col < 256; c++) {
		if (!exported(PQfname(res, c)))
			continue;
		const char *label = label_of(PQfname(res, c));
		worksheet_write_string(ws, header, col, label, bold);
		widths[col] = width_of(label) > 30 ? 30 : width_of(label);
		col++;
	}
	lxw_row_t row = header + 1;
	for (int r = 0; r < rows && r < PQntuples(res); r++) {
		bool empty = true;
		for (int c = 0; c < ncols && empty; c++)
			empty = !exported(PQfname(res, c)) || PQgetisnull(res, r, c);
		if (empty)
			continue;
		col = 0;
		for (int c = 0; c < ncols && col < 256; c++) {
			const char *cname = PQfname(res, c);
			if (!exported(cname))
				continue;
			if (PQgetisnull(res, r, c)) {
				col++;
				continue;
			}
			const char *v = PQgetvalue(res, r, c);
			double w = width_of(v);
			switch (PQftype(res, c)) {
			case OID_INT2:
			case OID_INT4:
			case OID_INT8:
			case OID_NUMERIC:
			case OID_FLOAT4:
			case OID_FLOAT8:
				if (is_pct(cname))
					worksheet_write_number(ws, row, col, fraction_of_pct(v), percent);
				else
					worksheet_write_number(ws, row, col, strtod(v, NULL), number_format(wb, numbers, v));
				w += is_pct(cname) ? 2 : 1 + w / 3;
				break;
			case OID_BOOL:
				worksheet_write_boolean(ws, row, col, v[0] == 't', NULL);
				break;
			case OID_DATE: {
				lxw_datetime dt = {0};
				if (sscanf(v, "%d-%d-%d", &dt.year, &dt.month, &dt.day) == 3)
					worksheet_write_datetime(ws, row, col, &dt, date);
				else
					worksheet_write_string(ws, row, col, v, NULL);
				w = 11;
				break;
			}
			case OID_TIMESTAMPTZ: {
				lxw_datetime dt = {0};
				if (sscanf(v, "%d-%d-%d %d:%d:%lf", &dt.year, &dt.month, &dt.day, &dt.hour, &dt.min,
				           &dt.sec) == 6)
					worksheet_write_datetime(ws, row, col, &dt, stamp);
				else
					worksheet_write_string(ws, row, col, v, NULL);
				w = 20;
				break;
			}
			case OID_JSON:
			case OID_JSONB: {
				struct buf t = BUF_INIT;
				text_of_json(v, &t);
				worksheet_write_string(ws, row, col, buf_cstr(&t), NULL);
				w = width_of(buf_cstr(&t));
				buf_free(&t);
				break;
			}
			default:
				v = label_of_value(cname, v); /* an enum value in Vietnamese */
				w = width_of(v);
				worksheet_write_string(ws, row, col, v, NULL);
			}
			if (w > widths[col])
				widths[col] = w;
			col++;
		}
		row++;
	}
	for (lxw_col_t c = 0; c < 256 && widths[c] > 0; c++)
		worksheet_set_column(ws, c, c, (widths[c] > MAX_WIDTH ? MAX_WIDTH : widths[c]) + 2, NULL);
	worksheet_freeze_panes(ws, header + 1, 0);

	lxw_error e = workbook_close(wb);
	if (e != LXW_NO_ERROR) {
		snprintf(err, errlen, "libxlsxwriter: %s", lxw_strerror(e));
	} else {
		FILE *f = fopen(path, "rb");
		if (!f) {
			snprintf(err, errlen, "cannot read the workbook back: %s", strerror(errno));
		} else {
			char chunk[65536];
			size_t n;
			while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
				buf_append(out, chunk, n);
			fclose(f);
			ok = true;
		}
	}
	unlink(path);
	return ok;
}
