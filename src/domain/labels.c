/* Vietnamese column titles (see labels.h). */
#include "domain/labels.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

static const struct {
	const char *column;
	const char *label;
} labels[] = {
	{"code", "Mã"},
	{"name", "Tên"},
	{"short_name", "Tên viết tắt"},
	{"name_en", "Tên tiếng Anh"},
	{"kind", "Loại"},
	{"parent", "Đơn vị cấp trên"},
	{"parents", "Các đơn vị cấp trên"},
	{"parent_from", "Trực thuộc từ ngày"},
	{"valid_from", "Hiệu lực từ ngày"},
	{"valid_to", "Hiệu lực đến ngày"},
	{"successor", "Đơn vị kế thừa"},
	{"org", "Mã đơn vị"},
	{"bloc", "Mã khối/cụm"},
	{"organizer", "Đơn vị tổ chức"},
	{"years", "Các năm"},
	{"members", "Thành viên"},
	{"indicator", "Mã chỉ số"},
	{"indicator_name", "Chỉ số"},
	{"unit", "Đơn vị tính"},
	{"rollup", "Cộng dồn lên cấp trên"},
	{"higher_is_better", "Càng cao càng tốt"},
	{"description", "Mô tả"},
	{"period", "Mã kỳ"},
	{"label", "Kỳ báo cáo"},
	{"start", "Từ ngày"},
	{"end", "Đến ngày"},
	{"year", "Năm"},
	{"year_end", "Đến năm"},
	{"actual", "Thực hiện"},
	{"target", "Chỉ tiêu"},
	{"completion_pct", "Tỷ lệ hoàn thành (%)"},
	{"year_target", "Chỉ tiêu cả năm"},
	{"year_progress_pct", "Tiến độ so với cả năm (%)"},
	{"previous", "Cùng kỳ năm trước"},
	{"yoy_pct", "Tăng/giảm so với cùng kỳ (%)"},
	{"source", "Nguồn số liệu"},
	{"missing", "Còn thiếu"},
	{"note", "Ghi chú"},
	{"revision", "Lần sửa"},
	{"updated_at", "Cập nhật lúc"},
	{"updated_by", "Người cập nhật"},
	{"deleted", "Đã xóa"},
	{"operation", "Thao tác"},
	{"old_actual", "Thực hiện (trước)"},
	{"old_target", "Chỉ tiêu (trước)"},
	{"old_note", "Ghi chú (trước)"},
	{"changed_at", "Thời điểm"},
	{"changed_by", "Người thay đổi"},
	{"request_id", "Mã yêu cầu"},
	{"members_actual", "Tổng các thành viên: thực hiện"},
	{"members_target", "Tổng các thành viên: chỉ tiêu"},
	{"members_completion_pct", "Tổng các thành viên: tỷ lệ (%)"},
	{"members_reporting", "Số thành viên có số liệu"},
	{"rank", "Xếp hạng"},
	{"previous_rank", "Xếp hạng cùng kỳ năm trước"},
	{"score", "Tổng điểm"},
	{"bonus", "Điểm thưởng"},
	{"penalty", "Điểm trừ"},
	{"criteria.indicator", "Tiêu chí"},
	{"criteria.weight", "Điểm chuẩn"},
	{"criteria.cap_pct", "Mức trần (%)"},
	{"criteria.actual", "Thực hiện"},
	{"criteria.target", "Chỉ tiêu"},
	{"criteria.completion_pct", "Tỷ lệ hoàn thành (%)"},
	{"criteria.points", "Điểm"},
	{"criteria.rank", "Xếp hạng theo tiêu chí"},
	{"id", "Số"},
	{"role", "Vai trò"},
	{"scope", "Phạm vi"},
	{"prefix", "Tiền tố khóa"},
	{"created_at", "Tạo lúc"},
	{"created_by", "Người tạo"},
	{"revoked_at", "Thu hồi lúc"},
};

const char *label_of(const char *column)
{
	for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
		if (!strcmp(labels[i].column, column))
			return labels[i].label;
	return column;
}

/* text[0..len) equals s, ASCII letters in either case. */
static bool same(const char *text, size_t len, const char *s)
{
	return strlen(s) == len && !strncasecmp(text, s, len);
}

const char *label_column(const char *text, size_t len)
{
	while (len && (*text == ' ' || *text == '\t')) {
		text++;
		len--;
	}
	while (len && (text[len - 1] == ' ' || text[len - 1] == '\t' || text[len - 1] == '\r'))
		len--;
	for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
		if (same(text, len, labels[i].label) || same(text, len, labels[i].column))
			return labels[i].column;
	return NULL;
}

/* The values of enum columns, in Vietnamese: what an XLSX export shows,
 * and an import reads back. */
static const struct {
	const char *column;
	const char *value;
	const char *label;
} values[] = {
	{"kind", "confederation", "Tổng Liên đoàn"},
	{"kind", "province", "LĐLĐ tỉnh, thành phố"},
	{"kind", "district", "LĐLĐ quận, huyện"},
	{"kind", "commune", "Công đoàn xã, phường"},
	{"kind", "sector", "Công đoàn ngành"},
	{"kind", "grassroots", "Công đoàn cơ sở"},
	{"kind", "other", "Khác"},
	{"kind", "flow", "Phát sinh trong kỳ"},
	{"kind", "stock", "Số có tại thời điểm"},
	{"kind", "khoi", "Khối thi đua"},
	{"kind", "cum", "Cụm thi đua"},
	{"kind", "year", "Năm"},
	{"kind", "half", "6 tháng"},
	{"kind", "quarter", "Quý"},
	{"kind", "month", "Tháng"},
	{"kind", "ytd", "Lũy kế từ đầu năm"},
	{"kind", "term", "Nhiệm kỳ"},
	{"rollup", "sum", "Cộng dồn"},
	{"rollup", "none", "Không cộng dồn"},
	{"source", "reported", "Báo cáo"},
	{"source", "periods", "Cộng từ các kỳ nhỏ hơn"},
	{"source", "children", "Cộng từ đơn vị trực thuộc"},
	{"source", "out_of_scope", "Ngoài phạm vi"},
	{"operation", "insert", "Thêm mới"},
	{"operation", "update", "Sửa"},
	{"operation", "delete", "Xóa"},
	{"role", "reader", "Xem"},
	{"role", "editor", "Nhập số liệu"},
	{"role", "admin", "Quản trị"},
};

const char *label_of_value(const char *column, const char *value)
{
	for (size_t i = 0; i < sizeof values / sizeof values[0]; i++)
		if (!strcmp(values[i].column, column) && !strcmp(values[i].value, value))
			return values[i].label;
	return value;
}

const char *label_value(const char *column, const char *text, size_t len)
{
	for (size_t i = 0; i < sizeof values / sizeof values[0]; i++)
		if (!strcmp(values[i].column, column) && same(text, len, values[i].label))
			return values[i].value;
	return NULL;
}

void labels_each(void (*fn)(const char *column, const char *value, const char *label, void *ctx), void *ctx)
{
	for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
		fn(labels[i].column, NULL, labels[i].label, ctx);
	for (size_t i = 0; i < sizeof values / sizeof values[0]; i++)
		fn(values[i].column, values[i].value, values[i].label, ctx);
}
