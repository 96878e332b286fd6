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
